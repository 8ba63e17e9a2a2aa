#include "report/report_format.h"

#include <algorithm>
#include <cctype>
#include <chrono>

namespace scarscope::report {

CalendarDate day_of(clinic::Timestamp moment) { return {std::chrono::floor<std::chrono::days>(moment)}; }

std::string iso_seconds(clinic::Timestamp moment) {
  // format_timestamp gives "YYYY-MM-DDThh:mm:ss.uuuuuuZ"; the seconds are its first 19 characters.
  return clinic::format_timestamp(moment).substr(0, 19);
}

std::string ids_text(const std::vector<int>& ids) {
  std::string out;
  for (std::size_t i = 0; i < ids.size(); ++i) out += (i ? ", " : "") + std::to_string(ids[i]);
  return out;
}

std::string range_text(const ReportText& text, const std::optional<NumericRange>& range, const std::string& none) {
  if (!range) return none;
  auto number = [&](double value) { return text.number(value, value == static_cast<long long>(value) ? 0 : 1); };
  return range->min == range->max ? number(range->min) : number(range->min) + "-" + number(range->max);
}

std::string short_citation(const ReportText& text, const Evidence& evidence) {
  std::string authors = evidence.citation;
  const std::size_t dot = authors.find(". ");
  if (dot != std::string::npos && dot < 60) authors = authors.substr(0, dot);
  else if (authors.size() > 60) authors = authors.substr(0, 57) + "...";
  // The first four-digit year of the citation, when the authors' part does not hold it.
  std::string year;
  for (std::size_t i = 0; i + 4 <= evidence.citation.size(); ++i) {
    const std::string candidate = evidence.citation.substr(i, 4);
    const bool digits = std::all_of(candidate.begin(), candidate.end(), [](char c) { return c >= '0' && c <= '9'; });
    const bool bounded = (i == 0 || !std::isdigit(static_cast<unsigned char>(evidence.citation[i - 1]))) &&
                         (i + 4 == evidence.citation.size() || !std::isdigit(static_cast<unsigned char>(evidence.citation[i + 4])));
    if (digits && bounded && (candidate[0] == '1' || candidate[0] == '2')) {
      year = candidate;
      break;
    }
  }
  if (!year.empty() && authors.find(year) == std::string::npos) authors += " " + year;
  return authors + " (" + evidence.kind + (evidence.confirmed ? "" : ", " + text.label("clinician.unconfirmed")) + ")";
}

std::string capitalised(std::string text) {
  if (!text.empty() && text[0] >= 'a' && text[0] <= 'z') text[0] = static_cast<char>(text[0] - 'a' + 'A');
  return text;
}

Document report_document(const PatientCourse& course, const ReportContext& context, const std::string& section) {
  const ReportText& text = context.text;
  Document document;
  document.title = text.label(section + ".title") + " - " + course.patient.name;
  document.author = course.clinic.name;
  document.creator = std::string("ScarScope ") + SCARSCOPE_VERSION;
  document.created = iso_seconds(context.generated_at);
  document.footer = text.label("clinician.footer", {{"clinic", course.clinic.name},
                                                    {"patient", course.patient.name},
                                                    {"date", text.date(day_of(context.generated_at))},
                                                    {"version", SCARSCOPE_VERSION},
                                                    {"kb", knowledge_versions(context)}});
  const ReportText* words = &text;
  document.page_label = [words, section](int page, int pages) {
    return words->label(section + ".page", {{"page", std::to_string(page)}, {"pages", std::to_string(pages)}});
  };
  return document;
}

}  // namespace scarscope::report
