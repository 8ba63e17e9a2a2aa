// The FHIR R4 export of a course: valid against the official FHIR R4 JSON schema (checked by
// tests/report/fhir/validate.js with Ajv, as another system's validator would), and read back: every
// record is there once, each measurement with its UCUM unit, grades labelled as estimates, local
// code systems declared in the bundle, no profile claimed, every reference resolving.
#include <gtest/gtest.h>

#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "course_fixture.h"
#include "report/reports.h"

namespace scarscope::test {
namespace {

using nlohmann::json;

std::filesystem::path validator() { return std::filesystem::path(SCARSCOPE_TEST_SOURCE) / "report" / "fhir" / "validate.js"; }

// Runs the schema check on the files; exit status and output.
CommandResult validate(const std::vector<std::filesystem::path>& files) {
  const std::filesystem::path modules = validator().parent_path() / "node_modules";
  if (!std::filesystem::exists(modules / "ajv")) {
    ADD_FAILURE() << modules << " is missing: ./run test installs it (npm ci in tests/report/fhir)";
    return {};
  }
  std::string command = "node '" + validator().string() + "'";
  for (const auto& file : files) command += " '" + file.string() + "'";
  CommandResult result;
  FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
  char buffer[4096];
  std::size_t read = 0;
  while ((read = std::fread(buffer, 1, sizeof buffer, pipe)) > 0) result.out.append(buffer, read);
  const int status = ::pclose(pipe);
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

std::filesystem::path write_json(const json& document, const std::string& name) {
  const std::filesystem::path path = artifact_dir() / name;
  write_text_file(path, document.dump(2));
  return path;
}

const json& full_bundle() {
  static const json bundle = [] {
    FullCourse& full = full_course();
    return report::fhir_bundle(read_course(*full.record, full.patient_id), report_resources().context(report_moment()));
  }();
  return bundle;
}

std::vector<json> resources_of(const json& bundle, const std::string& type) {
  std::vector<json> found;
  for (const json& entry : bundle["entry"]) {
    if (entry["resource"]["resourceType"] == type) found.push_back(entry["resource"]);
  }
  return found;
}

const json* component(const json& observation, const std::string& code) {
  for (const json& c : observation["component"]) {
    if (c["code"]["coding"][0]["code"] == code) return &c;
  }
  return nullptr;
}

TEST(FhirExport, IsValidAgainstTheFhirR4Schema) {
  const std::filesystem::path file = write_json(full_bundle(), "course.fhir.json");
  const CommandResult result = validate({file});
  EXPECT_EQ(result.exit_code, 0) << result.out;
  EXPECT_NE(result.out.find("valid FHIR R4 (Bundle"), std::string::npos) << result.out;
}

TEST(FhirExport, TheSchemaCheckRefusesWhatIsNotFhir) {
  json broken = full_bundle();
  for (json& entry : broken["entry"]) {
    if (entry["resource"]["resourceType"] == "Patient") {
      entry["resource"]["gender"] = "f";               // not a FHIR gender code
      entry["resource"]["skinType"] = 4;               // not an element of Patient
    }
    if (entry["resource"]["resourceType"] == "Observation") {
      entry["resource"]["status"] = "done";  // not an Observation status
      entry["resource"].erase("code");       // required
    }
  }
  const CommandResult result = validate({write_json(broken, "broken.fhir.json")});
  EXPECT_EQ(result.exit_code, 1) << result.out;
  EXPECT_NE(result.out.find("INVALID"), std::string::npos);
  EXPECT_NE(result.out.find("skinType"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("/gender"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("/status must be equal to one of the allowed values"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("must have required property 'code'"), std::string::npos) << result.out;
}

TEST(FhirExport, HoldsEveryRecordOfTheCourseOnce) {
  const json& bundle = full_bundle();
  FullCourse& full = full_course();
  const report::PatientCourse course = read_course(*full.record, full.patient_id);
  EXPECT_EQ(bundle["resourceType"], "Bundle");
  EXPECT_EQ(bundle["type"], "collection");
  EXPECT_EQ(bundle["timestamp"], "2027-01-20T10:00:00Z");
  EXPECT_EQ(resources_of(bundle, "Patient").size(), 1u);
  EXPECT_EQ(resources_of(bundle, "Organization").size(), 1u);
  EXPECT_EQ(resources_of(bundle, "Encounter").size(), 3u);
  EXPECT_EQ(resources_of(bundle, "Media").size(), 3u);
  EXPECT_EQ(resources_of(bundle, "Consent").size(), 3u);
  EXPECT_EQ(resources_of(bundle, "CarePlan").size(), 1u);
  EXPECT_EQ(resources_of(bundle, "Procedure").size(), course.sessions.size());
  EXPECT_EQ(resources_of(bundle, "AdverseEvent").size(), 1u);
  std::size_t scars = 0;
  for (const report::CourseVisit& visit : course.visits) scars += visit.first_analysed()->in_force->scars.scars.size();
  EXPECT_EQ(resources_of(bundle, "Observation").size(), scars + 3 * 3) << "one per scar, three grades per scan";

  const json patient = resources_of(bundle, "Patient").front();
  EXPECT_EQ(patient["name"][0]["text"], "Inês Łopez-Müller");
  EXPECT_EQ(patient["gender"], "female");
  EXPECT_EQ(patient["birthDate"], "1996");
  bool identifier = false;
  for (const json& id : patient["identifier"]) identifier = identifier || id["value"] == "SE-2026-0142";
  EXPECT_TRUE(identifier);
}

TEST(FhirExport, EachScarsMeasurementsComeBackWithTheirUnits) {
  const json& bundle = full_bundle();
  FullCourse& full = full_course();
  const report::PatientCourse course = read_course(*full.record, full.patient_id);
  const report::CourseScan& latest = *course.visits.back().first_analysed();
  std::map<int, json> by_scar;
  const std::string prefix = latest.assessment->id + "#scar-";
  for (const json& observation : resources_of(bundle, "Observation")) {
    const std::string id = observation["identifier"][0]["value"];
    if (id.rfind(prefix, 0) == 0) by_scar[std::stoi(id.substr(prefix.size()))] = observation;
  }
  ASSERT_EQ(by_scar.size(), latest.in_force->scars.scars.size());
  for (const Scar& scar : latest.in_force->scars.scars) {
    const json& observation = by_scar.at(scar.id);
    EXPECT_EQ(observation["status"], "amended") << "the latest scan was corrected by the clinician";
    const json* type = component(observation, "scar-type");
    ASSERT_NE(type, nullptr);
    EXPECT_EQ((*type)["valueCodeableConcept"]["coding"][0]["code"], scar_type_name(scar.type));
    const json* volume = component(observation, "volume");
    ASSERT_NE(volume, nullptr);
    EXPECT_NEAR((*volume)["valueQuantity"]["value"].get<double>(), scar.volume_mm3, 5e-5);
    EXPECT_EQ((*volume)["valueQuantity"]["system"], "http://unitsofmeasure.org");
    EXPECT_EQ((*volume)["valueQuantity"]["code"], "mm3");
    EXPECT_EQ(component(observation, "diameter")->at("valueQuantity")["code"], "mm");
    const json* depth = component(observation, scar.type == ScarType::hypertrophic ? "height" : "depth");
    ASSERT_NE(depth, nullptr);
    EXPECT_EQ((*depth)["valueQuantity"]["code"], "um");
    EXPECT_EQ((*depth)["valueQuantity"]["unit"], "µm");
    EXPECT_NEAR((*depth)["valueQuantity"]["value"].get<double>(), scar.depth_um, 0.05);
    EXPECT_EQ((*depth)["valueQuantity"].contains("comparator"), scar.depth_is_lower_bound);
    EXPECT_EQ(observation["bodySite"]["coding"][0]["code"], "left_cheek");
  }
}

TEST(FhirExport, GradesAreLabelledAsEstimatesAndTheSessionsCarryTheirParameters) {
  const json& bundle = full_bundle();
  int grades = 0;
  for (const json& observation : resources_of(bundle, "Observation")) {
    const std::string code = observation["code"]["coding"][0]["code"];
    if (code == "acne-scar") continue;
    ++grades;
    EXPECT_NE(observation["method"]["text"].get<std::string>().find("Estimate from 3D scan"), std::string::npos) << code;
    EXPECT_TRUE(observation.contains("valueInteger") || observation.contains("valueRange")) << code;
  }
  EXPECT_EQ(grades, 9);
  const std::vector<json> procedures = resources_of(bundle, "Procedure");
  ASSERT_FALSE(procedures.empty());
  for (const json& procedure : procedures) {
    EXPECT_EQ(procedure["status"], "completed");
    EXPECT_EQ(procedure["code"]["coding"][0]["code"], full_course().session_modality);
    EXPECT_TRUE(procedure.contains("basedOn")) << "a session of the accepted plan points at its CarePlan";
    if (procedure.contains("extension")) {
      for (const json& parameter : procedure["extension"]) {
        EXPECT_EQ(parameter["extension"][0]["url"], "name");
        EXPECT_TRUE(parameter["extension"][1]["valueQuantity"]["value"].is_number());
      }
    }
  }
  const json event = resources_of(bundle, "AdverseEvent").front();
  EXPECT_EQ(event["severity"]["coding"][0]["code"], "mild");
  EXPECT_EQ(event["outcome"]["coding"][0]["code"], "resolved");
  EXPECT_EQ(event["event"]["coding"][0]["code"], "erythema");
  const json plan = resources_of(bundle, "CarePlan").front();
  EXPECT_EQ(plan["status"], "active");
  EXPECT_EQ(plan["intent"], "plan");
  EXPECT_FALSE(plan["activity"].empty());
}

TEST(FhirExport, DeclaresItsLocalCodeSystemsClaimsNoProfileAndResolvesEveryReference) {
  const json& bundle = full_bundle();
  std::set<std::string> full_urls, declared, used_local;
  for (const json& entry : bundle["entry"]) {
    full_urls.insert(entry["fullUrl"].get<std::string>());
    EXPECT_EQ(entry["fullUrl"], "urn:uuid:" + entry["resource"]["id"].get<std::string>());
    EXPECT_FALSE(entry["resource"].contains("meta")) << "no profile is claimed";
    if (entry["resource"]["resourceType"] == "CodeSystem") declared.insert(entry["resource"]["url"].get<std::string>());
  }
  EXPECT_EQ(full_urls.size(), bundle["entry"].size()) << "every resource once";
  std::function<void(const json&)> walk = [&](const json& value) {
    if (value.is_object()) {
      if (value.contains("reference")) {
        EXPECT_TRUE(full_urls.count(value["reference"].get<std::string>())) << value.dump();
      }
      if (value.contains("system") && value["system"].is_string()) {
        const std::string system = value["system"];
        if (system.rfind("urn:scarscope:fhir:CodeSystem:", 0) == 0) used_local.insert(system);
      }
      for (const auto& [key, member] : value.items()) walk(member);
    } else if (value.is_array()) {
      for (const json& member : value) walk(member);
    }
  };
  walk(bundle);
  EXPECT_FALSE(used_local.empty());
  for (const std::string& system : used_local) EXPECT_TRUE(declared.count(system)) << system << " is used but not declared";
}

TEST(FhirExport, ShorterCoursesAreValidToo) {
  auto record = new_record();
  const clinic::Patient alone = add_patient(*record, "Zoë Ndiaye");
  const clinic::Patient with_visit = add_patient(*record, "Jan Novák");
  add_visit(*record, with_visit.id, "2026-10-01");
  std::vector<std::filesystem::path> files;
  for (const clinic::Patient& patient : {alone, with_visit}) {
    const json bundle = report::fhir_bundle(read_course(*record, patient.id), report_resources().context(report_moment()));
    EXPECT_EQ(resources_of(bundle, "Patient").size(), 1u);
    files.push_back(write_json(bundle, "short-" + std::to_string(files.size()) + ".fhir.json"));
  }
  const CommandResult result = validate(files);
  EXPECT_EQ(result.exit_code, 0) << result.out;
}

}  // namespace
}  // namespace scarscope::test
