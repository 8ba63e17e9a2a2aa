// The patient's report of a full course, read back: what was found in words, the patient's own
// progress, the next sessions, every expectation, aftercare and call-the-clinic sentence of the
// catalogue with its sources; plain enough (Flesch reading ease >= 60, computed here) and no
// jargon left unexplained.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <set>

#include "course_fixture.h"
#include "report/reports.h"

namespace scarscope::test {
namespace {

struct PatientReportRead {
  report::PatientCourse course;
  std::filesystem::path pdf;
  std::string raw;   // as pdftotext gives it
  std::string text;  // flattened
  std::string body;  // flattened, up to the list of sources
};

const PatientReportRead& patient_report() {
  static const PatientReportRead read = [] {
    FullCourse& full = full_course();
    PatientReportRead made;
    made.course = read_course(*full.record, full.patient_id);
    const Bytes pdf = report::patient_report_pdf(made.course, report_resources().context(report_moment()));
    made.pdf = artifact_dir() / "patient-report.pdf";
    write_bytes(made.pdf, pdf);
    made.raw = pdf_text(made.pdf);
    made.text = flattened(made.raw);
    const std::size_t sources = made.text.find("Where this information comes from");
    made.body = made.text.substr(0, sources);
    return made;
  }();
  return read;
}

// ---- Readability: the Flesch reading-ease formula, 206.835 - 1.015 (words / sentences) - 84.6
// (syllables / words), with the usual counting rules: a word is a run of letters (apostrophes and
// hyphens join), a sentence ends at . ! ? or at the end of a line that has no ending of its own (a
// list item, a heading), and a word's syllables are its groups of vowels (y counts), less a silent
// final e, at least one.

int syllables(const std::string& word) {
  std::string lower;
  for (char c : word) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  auto vowel = [](char c) { return c == 'a' || c == 'e' || c == 'i' || c == 'o' || c == 'u' || c == 'y'; };
  int groups = 0;
  bool in_group = false;
  for (char c : lower) {
    const bool v = vowel(c);
    if (v && !in_group) ++groups;
    in_group = v;
  }
  if (lower.size() > 2 && lower.back() == 'e' && !vowel(lower[lower.size() - 2]) &&
      !(lower[lower.size() - 2] == 'l' && lower.size() > 3 && !vowel(lower[lower.size() - 3]))) {
    --groups;
  }
  return std::max(1, groups);
}

struct Readability {
  int words = 0, sentences = 0, syllables = 0;
  double ease() const {
    return 206.835 - 1.015 * words / static_cast<double>(sentences) - 84.6 * syllables / static_cast<double>(words);
  }
};

Readability readability(const std::string& text) {
  Readability r;
  std::string word;
  bool words_since_end = false;
  auto end_word = [&] {
    if (word.empty()) return;
    ++r.words;
    r.syllables += syllables(word);
    word.clear();
    words_since_end = true;
  };
  auto end_sentence = [&] {
    end_word();
    if (words_since_end) ++r.sentences;
    words_since_end = false;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (std::isalpha(c) || c >= 0x80 || ((c == '\'' || c == '-') && !word.empty())) {
      word += static_cast<char>(c);
    } else if (c == '.' || c == '!' || c == '?' || c == '\n') {
      // "30.5" is not the end of a sentence.
      if (c == '.' && i + 1 < text.size() && std::isdigit(static_cast<unsigned char>(text[i + 1]))) continue;
      end_sentence();
    } else {
      end_word();
    }
  }
  end_sentence();
  return r;
}

TEST(PatientReport, ReadsEasily) {
  const PatientReportRead& report = patient_report();
  const std::size_t sources = report.raw.find("Where this information comes from");
  ASSERT_NE(sources, std::string::npos);
  const Readability r = readability(report.raw.substr(0, sources));
  ASSERT_GT(r.words, 250) << "the body of the report";
  const double ease = r.ease();
  std::cout << "Flesch reading ease of the patient report: " << ease << " (" << r.words << " words, " << r.sentences
            << " sentences, " << r.syllables << " syllables)\n";
  EXPECT_GE(ease, 60.0);
}

TEST(PatientReport, TheReadabilityFormulaScoresKnownTextsAsExpected) {
  // The formula's own anchors: plain short sentences score high, dense academic prose low.
  EXPECT_GT(readability("The cat sat on the mat. It was a good day. We had fun.").ease(), 100.0);
  EXPECT_LT(readability("Histopathological characterisation demonstrated considerable interindividual "
                        "variability regarding postinflammatory hyperpigmentation susceptibility.")
                .ease(),
            0.0);
  EXPECT_EQ(syllables("scars"), 1);
  EXPECT_EQ(syllables("treatment"), 2);
  EXPECT_EQ(syllables("visible"), 3);
  EXPECT_EQ(syllables("make"), 1);
}

// Terms a patient cannot be expected to know. Each may appear only where it is explained: inside
// a parenthesis that follows the plain words ("... (called TCA CROSS)"), or followed within its
// sentence by a parenthesis that explains it ("ice pick scars (narrow, deep pits)").
const std::vector<std::string> kJargon = {
    "TCA", "CROSS", "PRP", "PLLA", "5-FU", "CO2", "MDC", "mm³", "µm", "Fitzpatrick", "erythema", "oedema", "edema",
    "hyperpigmentation", "PIH", "HSV", "subcision", "microneedling", "dermabrasion", "ablative", "fractional",
    "isotretinoin", "boxcar", "ice pick", "hypertrophic", "ECCA", "Goodman", "grade", "modality", "baseline",
    "registration", "analysis", "assessment", "lesion", "atrophic", "erythematous", "elastolysis", "modalities"};

bool explained_at(const std::string& text, std::size_t at, std::size_t length) {
  const std::size_t open_before = text.rfind('(', at);
  const std::size_t close_before = text.rfind(')', at);
  if (open_before != std::string::npos && (close_before == std::string::npos || close_before < open_before) &&
      at - open_before < 80) {
    return true;  // inside a parenthesis after the plain words
  }
  const std::size_t open_after = text.find('(', at + length);
  const std::size_t sentence_end = text.find_first_of(".:\n", at + length);
  return open_after != std::string::npos && open_after - (at + length) <= 12 &&
         (sentence_end == std::string::npos || open_after < sentence_end);
}

TEST(PatientReport, LeavesNoJargonUnexplained) {
  const PatientReportRead& report = patient_report();
  const std::size_t sources = report.raw.find("Where this information comes from");
  const std::string body = report.raw.substr(0, sources);
  for (const std::string& term : kJargon) {
    for (std::size_t at = body.find(term); at != std::string::npos; at = body.find(term, at + 1)) {
      const bool word_start = at == 0 || !std::isalpha(static_cast<unsigned char>(body[at - 1]));
      const bool word_end = at + term.size() >= body.size() || !std::isalpha(static_cast<unsigned char>(body[at + term.size()]));
      if (!word_start || !word_end) continue;
      EXPECT_TRUE(explained_at(body, at, term.size()))
          << "'" << term << "' unexplained in: ..." << body.substr(at > 60 ? at - 60 : 0, 140) << "...";
    }
  }
}

TEST(PatientReport, TheJargonCheckCatchesAnUnexplainedTerm) {
  const std::string text = "Your next session is subcision on 3 March.\nIce pick scars (narrow, deep pits) are common.";
  EXPECT_FALSE(explained_at(text, text.find("subcision"), 9));
  EXPECT_TRUE(explained_at(text, text.find("Ice pick"), 8));
  const std::string called = "A strong acid dabbed into deep scars (called TCA CROSS).";
  EXPECT_TRUE(explained_at(called, called.find("TCA"), 3));
}

TEST(PatientReport, SaysWhatWasFoundInWordsAndShowsTheMap) {
  const PatientReportRead& report = patient_report();
  const report::ReportText& text = report_resources().text;
  const report::CourseVisit& visit = report.course.visits.back();
  const ScarCounts counts = visit.first_analysed()->in_force->scars.counts();
  ASSERT_GE(counts.total(), 2);
  EXPECT_NE(report.text.find("On " + text.date(visit.visit.date) + " we scanned your left cheek. We found " +
                             text.count_in_words(counts.total()) + " scars:"),
            std::string::npos);
  for (ScarType type : all_scar_types()) {
    const int count = counts.of(type);
    if (count == 0) continue;
    const report::PlainScarType& plain = text.plain_scar_type(scar_type_name(type));
    std::string item = text.count_in_words(count) + " " + (count == 1 ? plain.one : plain.other) + " (" + plain.explanation + ")";
    item[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(item[0])));
    EXPECT_NE(report.text.find(item), std::string::npos) << item;
  }
  EXPECT_NE(report.text.find(text.label("patient.map_caption")), std::string::npos);
  const std::filesystem::path png = first_page_png(report.pdf, "patient-report-page1");
  EXPECT_GT(std::filesystem::file_size(png), 10000u);
}

TEST(PatientReport, GivesThePatientsOwnProgress) {
  const PatientReportRead& report = patient_report();
  const GlobalChange& total = report.course.progress->series->series.comparisons.back().global;
  const long percent = std::lround(-total.volume_change_pct);
  ASSERT_GT(percent, 0);
  const std::string sentence = "Your scars hold " + std::to_string(percent) + " percent less volume than at your first visit on " +
                               report_resources().text.date(report.course.progress->points.front().date) + ".";
  EXPECT_NE(report.text.find(sentence), std::string::npos) << sentence;
  const bool beyond = std::abs(total.volume_after_mm3 - total.volume_before_mm3) > total.volume_mdc_mm3;
  const std::string verdict = report_resources().text.statement(beyond ? "progress_beyond_noise" : "progress_within_noise").text;
  EXPECT_NE(report.text.find(verdict), std::string::npos);
}

// The lines "next sessions" should hold on `today`: every session of the accepted plan not yet
// given, "from DATE" while DATE is ahead and "due now" once it has passed; none of those given.
// Checks them against `text` and returns how many are listed and how many of those are due now.
std::pair<int, int> expect_next_sessions(const report::PatientCourse& course, const std::string& text, CalendarDate today) {
  const report::ReportText& words = report_resources().text;
  const Plan& plan = course.accepted_plan()->in_force.plan;
  std::map<std::string, int> given, total;
  for (const report::CourseSession& session : course.sessions) given[session.session.modality] += 1;
  for (const ScheduledSession& session : plan.schedule) total[session.modality] += 1;
  int listed = 0, due = 0;
  for (const ScheduledSession& session : plan.schedule) {
    if (session.until) continue;
    const std::string head = words.plain_modality(session.modality) + ": session " + std::to_string(session.session) +
                             " of " + std::to_string(total[session.modality]) + ", ";
    const std::string ahead = head + "from " + words.date(session.date);
    const std::string overdue = head + "due now (it could be done from " + words.date(session.date) + ")";
    auto capital = [](std::string line) {
      line[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(line[0])));
      return line;
    };
    const bool done = session.session <= given[session.modality];
    const bool past = session.date < today;
    EXPECT_EQ(text.find(capital(ahead)) != std::string::npos, !done && !past) << ahead;
    EXPECT_EQ(text.find(capital(overdue)) != std::string::npos, !done && past) << overdue;
    listed += done ? 0 : 1;
    due += !done && past ? 1 : 0;
  }
  return {listed, due};
}

TEST(PatientReport, ListsTheNextSessionsOfTheAcceptedPlanNotYetGiven) {
  const PatientReportRead& report = patient_report();
  const int listed =
      expect_next_sessions(report.course, report.text, CalendarDate{std::chrono::floor<std::chrono::days>(report_moment())}).first;
  EXPECT_GT(listed, 0) << "the fixture gives only part of the plan";
  EXPECT_NE(report.text.find("Sessions you have had"), std::string::npos);
}

TEST(PatientReport, SaysASessionWhoseDateHasPassedWithoutItIsDueNow) {
  // The same course reported on the day of its last given session (dates still ahead) and a year
  // after its plan's last date (every session not given is overdue): the wording follows the day.
  const PatientReportRead& report = patient_report();
  const Plan& plan = report.course.accepted_plan()->in_force.plan;
  ASSERT_FALSE(report.course.sessions.empty());
  CalendarDate last_given = report.course.sessions.front().session.date;
  for (const report::CourseSession& session : report.course.sessions) last_given = std::max(last_given, session.session.date);
  CalendarDate last_planned = plan.schedule.front().date;
  for (const ScheduledSession& session : plan.schedule) last_planned = std::max(last_planned, session.date);
  int index = 0;
  for (const CalendarDate day : {last_given, last_planned.plus_days(365)}) {
    const Bytes pdf = report::patient_report_pdf(report.course, report_resources().context(clinic::Timestamp(day.day) + std::chrono::hours(10)));
    const std::filesystem::path path = artifact_dir() / ("patient-report-on-day-" + std::to_string(++index) + ".pdf");
    write_bytes(path, pdf);
    const auto [listed, due] = expect_next_sessions(report.course, flattened(pdf_text(path)), day);
    EXPECT_GT(listed, 0);
    if (index == 1) {
      EXPECT_LT(due, listed) << "on the day of the last session given, some dates are still ahead";
    } else {
      EXPECT_EQ(due, listed) << "a year after the plan's last date every session not given is due";
    }
  }
}

TEST(PatientReport, SaysEveryExpectationAftercareAndCallTheClinicSentenceWithItsSources) {
  const PatientReportRead& report = patient_report();
  const report::ReportText& text = report_resources().text;
  std::set<std::string> cited;
  for (const char* topic : {"expectations", "aftercare", "call_clinic"}) {
    const auto statements = text.statements_of(topic);
    ASSERT_FALSE(statements.empty()) << topic;
    for (const report::Statement* statement : statements) {
      EXPECT_NE(report.text.find(flattened(statement->text) + " ["), std::string::npos) << statement->id;
      cited.insert(statement->source_ids.begin(), statement->source_ids.end());
    }
  }
  // The issue's own expectations are among them.
  EXPECT_NE(report.text.find("It cannot make them go away."), std::string::npos);
  EXPECT_NE(report.text.find("30 to 50 percent"), std::string::npos);
  EXPECT_NE(report.text.find("2 to 7 days"), std::string::npos);
  EXPECT_NE(report.text.find("out of the sun"), std::string::npos);
  EXPECT_NE(report.text.find("Do not pick"), std::string::npos);
  const std::string sources = report.text.substr(report.text.find("Where this information comes from"));
  for (const std::string& id : cited) {
    const std::string citation = flattened(text.source_of(id).citation);
    EXPECT_NE(sources.find(citation.substr(0, 60)), std::string::npos) << id;
  }
}

// The offer of psychological support follows the plan in force: with the referral it is there, without
// it it is not. The fixture's plan does not refer (its scarring is graded severe, and the planner
// refers for distress out of proportion to mild scarring), so the same course is also rendered with
// the referral a clinician could add when accepting the plan.
TEST(PatientReport, OffersPsychologicalSupportWhenThePlanRefersForIt) {
  const PatientReportRead& report = patient_report();
  const std::string offer = flattened(report_resources().text.statement("support_offer").text);
  auto refers = [](const report::PatientCourse& course) {
    const std::vector<std::string>& referrals = course.accepted_plan()->in_force.plan.referrals;
    return std::find(referrals.begin(), referrals.end(), "psychological_counselling") != referrals.end();
  };
  EXPECT_EQ(report.text.find(offer) != std::string::npos, refers(report.course));

  FullCourse& full = full_course();
  report::PatientCourse referred = read_course(*full.record, full.patient_id);
  const std::size_t accepted = static_cast<std::size_t>(referred.accepted_plan() - referred.plans.data());
  referred.plans[accepted].in_force.plan.referrals = {"psychological_counselling"};
  ASSERT_TRUE(refers(referred));
  const std::filesystem::path pdf = artifact_dir() / "patient-report-referred.pdf";
  write_bytes(pdf, report::patient_report_pdf(referred, report_resources().context(report_moment())));
  EXPECT_NE(flattened(pdf_text(pdf)).find(offer), std::string::npos) << offer;
}

}  // namespace
}  // namespace scarscope::test
