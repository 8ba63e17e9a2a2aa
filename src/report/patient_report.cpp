// The report the patient takes home: plain words, no jargon left unexplained. What was found (in
// words and on the map), the patient's own progress, the next sessions, what to expect, aftercare,
// when to call the clinic and, where the plan refers for it, the offer of psychological support.
// Every sentence about expectations is a statement of the catalogue (kb/report_text.json) with its
// sources, listed at the end.
#include <algorithm>
#include <cmath>
#include <map>

#include "clinic/vocabulary.h"
#include "core/error.h"
#include "report/figures.h"
#include "report/pdf_document.h"
#include "report/report_format.h"
#include "report/reports.h"
#include "workflows/scan_input.h"

namespace scarscope::report {

namespace {

constexpr double kBodySize = 11.0;

class PatientReport {
 public:
  PatientReport(const PatientCourse& course, const ReportContext& context)
      : course_(course), context_(context), text_(context.text) {}

  Document build() {
    Document document = report_document(course_, context_, "patient");
    document_ = &document;
    add(Heading{label("title"), 0});
    paragraph(label("prepared_for", {{"name", course_.patient.name}}), 12.0, true);
    paragraph(label("clinic_line", {{"clinic", course_.clinic.name}}) + "\n" +
              label("report_date", {{"date", text_.date(day_of(context_.generated_at))}}));
    found_section();
    progress_section();
    sessions_section();
    statements_section("expect_heading", "expectations");
    statements_section("care_heading", "aftercare");
    statements_section("call_heading", "call_clinic");
    support_section();
    sources_section();
    return document;
  }

 private:
  std::string label(const std::string& key, const TextArguments& arguments = {}) const {
    return text_.label("patient." + key, arguments);
  }
  void add(Block block) { document_->add(std::move(block)); }
  void paragraph(std::string text, double size = kBodySize, bool bold = false) {
    Paragraph p;
    p.text = std::move(text);
    p.size = size;
    p.bold = bold;
    p.space_after = 6.0;
    add(std::move(p));
  }
  void bullet(std::string text) {
    Paragraph p;
    p.text = std::move(text);
    p.size = kBodySize;
    p.bullet = "•";
    p.space_after = 3.0;
    add(std::move(p));
  }
  // A catalogue statement with its source numbers: "... [1, 2]".
  std::string cited(const std::string& statement_id) {
    const Statement& statement = text_.statement(statement_id);
    std::string numbers;
    for (const std::string& source : statement.source_ids) {
      auto found = std::find(cited_sources_.begin(), cited_sources_.end(), source);
      if (found == cited_sources_.end()) {
        cited_sources_.push_back(source);
        found = cited_sources_.end() - 1;
      }
      numbers += (numbers.empty() ? "" : ", ") + std::to_string(found - cited_sources_.begin() + 1);
    }
    return statement.text + " [" + numbers + "]";
  }
  std::string region(clinic::Region region) const { return text_.region(std::string(clinic::name(region))); }

  void found_section() {
    add(Heading{label("found_heading"), 1});
    if (!course_.focus_visit) {
      paragraph(label("found_none_yet"));
      return;
    }
    const CourseVisit& visit = course_.visits[*course_.focus_visit];
    const CourseScan* scan = visit.first_analysed();
    if (scan == nullptr) {
      paragraph(label("found_no_scan", {{"date", text_.date(visit.visit.date)}}));
      return;
    }
    const ScarInventory& scars = scan->in_force->scars;
    const ScarCounts counts = scars.counts();
    const TextArguments where = {{"date", text_.date(visit.visit.date)}, {"region", region(visit.visit.region)},
                                 {"count", text_.count_in_words(counts.total())}};
    if (counts.total() == 0) {
      paragraph(label("found_intro_none", where));
    } else {
      paragraph(label(counts.total() == 1 ? "found_intro_one" : "found_intro", where));
      for (ScarType type : all_scar_types()) {
        const int count = counts.of(type);
        if (count == 0) continue;
        const PlainScarType& plain = text_.plain_scar_type(scar_type_name(type));
        bullet(capitalised(label("found_item", {{"count", text_.count_in_words(count)},
                                                {"type", count == 1 ? plain.one : plain.other},
                                                {"explanation", plain.explanation}})));
      }
    }
    const auto file = course_.scan_files.find(scan->scan.id);
    if (file == course_.scan_files.end() || scars.scars.empty()) return;
    try {
      const HeightMap map = read_scan(ScanInput::memory(file->second, scan->scan.file_name, scan->scan.format));
      std::vector<LegendEntry> legend;
      for (ScarType type : all_scar_types()) {
        if (counts.of(type) > 0) legend.push_back({type, capitalised(text_.plain_scar_type(scar_type_name(type)).other)});
      }
      add(scar_map_figure(map, scars, std::move(legend), 300.0, label("map_caption")));
    } catch (const InputError&) {
      // The patient's report goes without the picture; the clinician's report says why.
    }
  }

  void progress_section() {
    add(Heading{label("progress_heading"), 1});
    if (!course_.progress || !course_.progress->series) {
      paragraph(label("progress_none"));
      return;
    }
    const CourseProgress& progress = *course_.progress;
    const GlobalChange& total = progress.series->series.comparisons.back().global;
    const long percent = std::lround(std::abs(total.volume_change_pct));
    const TextArguments arguments = {{"percent", std::to_string(percent)},
                                     {"date", text_.date(progress.points.front().date)}};
    const std::string key = percent == 0 || !std::isfinite(total.volume_change_pct) ? "progress_same"
                            : total.volume_change_pct < 0                         ? "progress_less"
                                                                                  : "progress_more";
    paragraph(label(key, arguments));
    const bool beyond = std::abs(total.volume_after_mm3 - total.volume_before_mm3) > total.volume_mdc_mm3;
    paragraph(cited(beyond ? "progress_beyond_noise" : "progress_within_noise"));
    paragraph(cited("progress_measured"));
  }

  void sessions_section() {
    add(Heading{label("next_heading"), 1});
    const CoursePlan* accepted = course_.accepted_plan();
    if (accepted == nullptr) {
      paragraph(label("plan_not_ready"));
    } else {
      // The plan's sessions not given yet: per treatment, the first ones are taken as given.
      std::map<std::string, int> given;
      for (const CourseSession& session : course_.sessions) given[session.session.modality] += 1;
      std::map<std::string, int> total;
      for (const ScheduledSession& session : accepted->in_force.plan.schedule) total[session.modality] += 1;
      // A session whose first possible day has passed without it is due now: the report does not
      // list it as if its date were still ahead.
      const CalendarDate today = day_of(context_.generated_at);
      bool any = false;
      for (const ScheduledSession& session : accepted->in_force.plan.schedule) {
        if (session.until || session.session <= given[session.modality]) continue;
        any = true;
        bullet(capitalised(label(session.date < today ? "next_item_due" : "next_item", {{"treatment", text_.plain_modality(session.modality, context_.knowledge.treatments.get())},
                                               {"number", std::to_string(session.session)},
                                               {"total", std::to_string(total[session.modality])},
                                               {"date", text_.date(session.date)}})));
      }
      paragraph(any ? label("next_note") : label("next_none"));
    }
    if (!course_.sessions.empty()) {
      add(Heading{label("given_heading"), 2});
      for (const CourseSession& session : course_.sessions) {
        bullet(label("given_item", {{"date", text_.date(session.session.date)},
                                    {"treatment", text_.plain_modality(session.session.modality,
                                                                       context_.knowledge.treatments.get())}}));
      }
    }
  }

  void statements_section(const std::string& heading, const std::string& topic) {
    add(Heading{label(heading), 1});
    for (const Statement* statement : text_.statements_of(topic)) bullet(cited(statement->id));
  }

  void support_section() {
    bool offered = false;
    if (const CoursePlan* plan = course_.accepted_plan()) {
      const std::vector<std::string>& referrals = plan->in_force.plan.referrals;
      offered = std::find(referrals.begin(), referrals.end(), "psychological_counselling") != referrals.end();
    } else if (!course_.plans.empty()) {
      const std::vector<std::string>& referrals = course_.plans.back().in_force.plan.referrals;
      offered = std::find(referrals.begin(), referrals.end(), "psychological_counselling") != referrals.end();
    }
    if (!offered) return;
    add(Heading{label("support_heading"), 1});
    paragraph(cited("support_offer"));
  }

  void sources_section() {
    add(Heading{label("sources_heading"), 1});
    Paragraph intro;
    intro.text = label("sources_intro");
    intro.size = 8.5;
    add(std::move(intro));
    for (std::size_t i = 0; i < cited_sources_.size(); ++i) {
      const Evidence& evidence = text_.source_of(cited_sources_[i]);
      Paragraph p;
      p.text = evidence.citation;
      p.size = 7.5;
      p.bullet = "[" + std::to_string(i + 1) + "]";
      p.space_after = 2.0;
      add(std::move(p));
    }
  }

  const PatientCourse& course_;
  const ReportContext& context_;
  const ReportText& text_;
  Document* document_ = nullptr;
  std::vector<std::string> cited_sources_;
};

}  // namespace

Bytes patient_report_pdf(const PatientCourse& course, const ReportContext& context) {
  return render_pdf(PatientReport(course, context).build());
}

}  // namespace scarscope::report
