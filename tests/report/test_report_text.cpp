// The reports' catalogue (kb/report_text.json): whole for every language, every statement with a
// source, every treatment of the kb named in plain words; a clinic adds a language by adding it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "core/json_fields.h"
#include "course_fixture.h"
#include "report/reports.h"

namespace scarscope::test {
namespace {

using nlohmann::json;

json catalogue() { return read_json_file(test_kb_dir() / "report_text.json"); }

std::string error_of(const json& document, const std::string& language = "en") {
  try {
    report::report_text_from_json(document, language);
  } catch (const InputError& error) {
    return error.what();
  }
  return {};
}

TEST(ReportText, EveryTreatmentRegionAndScarTypeHasPlainWordsInEveryLanguage) {
  const json document = catalogue();
  const KnowledgeBase& kb = *report_resources().knowledge.treatments;
  for (const auto& [language, block] : document["languages"].items()) {
    const report::ReportText text = report::report_text_from_json(document, language);
    for (const auto& [id, modality] : kb.modalities) EXPECT_TRUE(text.has_plain_modality(id)) << language << ": " << id;
    for (ScarType type : all_scar_types()) EXPECT_FALSE(text.plain_scar_type(scar_type_name(type)).explanation.empty());
    EXPECT_EQ(text.region("left_cheek"), "left cheek");
  }
}

TEST(ReportText, EveryStatementNamesSourcesTheCatalogueHolds) {
  const report::ReportText& text = report_resources().text;
  for (const char* topic : {"expectations", "aftercare", "call_clinic", "support", "progress"}) {
    for (const report::Statement* statement : text.statements_of(topic)) {
      ASSERT_FALSE(statement->source_ids.empty()) << statement->id;
      for (const std::string& source : statement->source_ids) EXPECT_FALSE(text.source_of(source).citation.empty());
    }
  }
}

TEST(ReportText, AClinicAddsALanguageByAddingItToTheCatalogue) {
  json document = catalogue();
  json french = document["languages"]["en"];
  french["language_name"] = "Français";
  french["patient"]["title"] = "Votre compte rendu de peau";
  french["patient"]["prepared_for"] = "Pour {name}";
  french["months"][0] = "janvier";
  french["date_format"] = "{day} {month} {year}";
  french["decimal_separator"] = ",";
  document["languages"]["fr"] = french;
  const report::ReportText text = report::report_text_from_json(document, "fr");
  EXPECT_EQ(text.number(2.5, 1), "2,5");
  auto record = new_record();
  const clinic::Patient patient = add_patient(*record, "Zoë Ndiaye");
  const report::ReportResources& shipped = report_resources();
  const report::ReportContext context{shipped.knowledge, text, shipped.vocabulary, report_moment()};
  const std::filesystem::path pdf = artifact_dir() / "patient-fr.pdf";
  write_bytes(pdf, report::patient_report_pdf(read_course(*record, patient.id), context));
  const std::string read = flattened(pdf_text(pdf));
  EXPECT_NE(read.find("Votre compte rendu de peau"), std::string::npos) << read.substr(0, 300);
  EXPECT_NE(read.find("Pour Zoë Ndiaye"), std::string::npos);
  EXPECT_NE(read.find("20 janvier 2027"), std::string::npos);
}

TEST(ReportText, AnIncompleteOrInconsistentCatalogueIsRefusedNamingWhatIsWrong) {
  json missing_key = catalogue();
  missing_key["languages"]["de"] = missing_key["languages"]["en"];
  missing_key["languages"]["de"]["patient"].erase("care_heading");
  EXPECT_NE(error_of(missing_key, "de").find("patient.care_heading is missing"), std::string::npos) << error_of(missing_key, "de");
  EXPECT_NE(error_of(missing_key, "en").find("patient.care_heading"), std::string::npos) << "every language is checked";

  json unknown_source = catalogue();
  unknown_source["statements"]["care_sun"]["sources"] = json::array({"a_blog"});
  EXPECT_NE(error_of(unknown_source).find("'a_blog' is not one of 'sources'"), std::string::npos);

  json no_source = catalogue();
  no_source["statements"]["care_sun"]["sources"] = json::array();
  EXPECT_NE(error_of(no_source).find("a statement needs a source"), std::string::npos);

  json untranslated = catalogue();
  untranslated["statements"]["care_hat"] = {{"topic", "aftercare"}, {"sources", json::array({"customer_aesthetic_therapy"})}};
  untranslated["statement_order"].push_back("care_hat");
  EXPECT_NE(error_of(untranslated).find("care_hat has no text in 'en'"), std::string::npos) << error_of(untranslated);

  json bad_kind = catalogue();
  bad_kind["sources"]["tan_2022"]["kind"] = "blog";
  EXPECT_NE(error_of(bad_kind).find("'blog' is not an evidence kind"), std::string::npos);

  EXPECT_NE(error_of(catalogue(), "xx").find("no language 'xx' (the catalogue has en)"), std::string::npos);
}

TEST(ReportText, ALabelNamingAPlaceholderTheReportDoesNotFillIsAnError) {
  EXPECT_EQ(report::ReportText::fill("{a} and {b}", {{"a", "1"}, {"b", "2"}}, "x"), "1 and 2");
  EXPECT_THROW(report::ReportText::fill("Hello {nmae}", {{"name", "Zoë"}}, "x"), InputError);
  EXPECT_THROW(report::ReportText::fill("Hello {name", {{"name", "Zoë"}}, "x"), InputError);
}

}  // namespace
}  // namespace scarscope::test
