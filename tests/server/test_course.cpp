// A patient's whole course through the API, as the clinic lives it: registration, a baseline scan
// analysed, a false detection removed, a plan proposed and accepted, a session with a side effect,
// a follow-up scan whose comparison the server queues by itself, and the progress across visits.
#include <gtest/gtest.h>

#include <set>

#include "server_test_support.h"

namespace scarscope::test {
namespace {

class Course : public testing::TestWithParam<store::Engine> {};

TEST_P(Course, FromFirstScanToProgress) {
  TestServer server(GetParam(), [](server::ServeOptions& options) { options.workers = 2; });
  ApiClient assistant = server.client_as(server.north.assistant);
  ApiClient clinician = server.client_as(server.north.clinician);

  // The assistant registers the patient with a name alone; the plan must wait for the profile.
  Answer patient = assistant.post("/api/v1/patients", {{"name", "Course Patient"}, {"identifier", "C-1"}});
  ASSERT_EQ(patient.status, 201) << patient.body;
  const std::string patient_id = patient.json["id"];
  Answer visit = assistant.post("/api/v1/patients/" + patient_id + "/visits",
                                {{"date", "2026-09-01"}, {"region", "left_cheek"}, {"notes", "baseline"}});
  ASSERT_EQ(visit.status, 201) << visit.body;
  const std::string visit_id = visit.json["id"];

  // Upload -> job -> assessment.
  Answer upload = assistant.send("POST", "/api/v1/visits/" + visit_id + "/scans?file_name=baseline.x3p",
                                 synthetic_scan_x3p(11, 1.0), "application/octet-stream");
  ASSERT_EQ(upload.status, 201) << upload.body;
  const std::string baseline_scan = upload.json["scan"]["id"];
  EXPECT_EQ(upload.json["scan"]["format"], "x3p");
  EXPECT_EQ(upload.json["job"]["kind"], "analysis");
  const Json job = server.wait_for_job(assistant, upload.json["job"]["id"]);
  ASSERT_EQ(job["state"], "done") << job.dump();
  EXPECT_EQ(job["result_kind"], "assessment");
  Answer scan = clinician.get("/api/v1/scans/" + baseline_scan);
  ASSERT_EQ(scan.status, 200);
  const Json analysis = scan.json["assessment"]["analysis"];
  ASSERT_GE(analysis["scars"].size(), 2u) << "the synthetic cheek has scars";
  EXPECT_EQ(analysis["scarscope"]["version"], SCARSCOPE_VERSION);
  EXPECT_FALSE(scan.json["assessment"]["corrected"].get<bool>());
  const int scars_before = static_cast<int>(analysis["scars"].size());
  const int removed_id = analysis["scars"][0]["id"];

  // The clinician removes a false detection; who and when are kept, the grades follow.
  Answer corrected = clinician.patch("/api/v1/scans/" + baseline_scan + "/assessment",
                                     {{"scars", {{std::to_string(removed_id), {{"remove", true}}}}}, {"papular_scars", 0}});
  ASSERT_EQ(corrected.status, 200) << corrected.body;
  EXPECT_TRUE(corrected.json["corrected"].get<bool>());
  EXPECT_EQ(static_cast<int>(corrected.json["analysis"]["scars"].size()), scars_before - 1);
  EXPECT_EQ(corrected.json["corrections"][0]["made_by"], server.north.clinician.id);
  // An assistant may not correct.
  EXPECT_EQ(assistant.patch("/api/v1/scans/" + baseline_scan + "/assessment", {{"papular_scars", 1}}).status, 403);

  // No plan before the profile is complete: 422 naming what is missing.
  Answer early = clinician.post("/api/v1/visits/" + visit_id + "/plan", Json::object());
  EXPECT_EQ(early.status, 422);
  EXPECT_EQ(early.json["error"], "incomplete_profile");
  EXPECT_EQ(early.json["field"], "birth_year");
  EXPECT_NE(early.json["detail"].get<std::string>().find("distress_0_10"), std::string::npos);
  Json profile = complete_patient("Course Patient");
  profile.erase("name");
  ASSERT_EQ(assistant.patch("/api/v1/patients/" + patient_id, profile).status, 200);

  // Plan -> acceptance (edited: the clinician's note).
  Answer plan = clinician.post("/api/v1/visits/" + visit_id + "/plan", Json::object());
  ASSERT_EQ(plan.status, 201) << plan.body;
  EXPECT_EQ(plan.json["status"], "proposed");
  EXPECT_EQ(plan.json["proposal"]["scarscope"]["version"], SCARSCOPE_VERSION);
  const std::string plan_id = plan.json["id"];
  EXPECT_EQ(assistant.post("/api/v1/plans/" + plan_id + "/accept", Json::object()).status, 403);
  Answer accepted = clinician.post("/api/v1/plans/" + plan_id + "/accept",
                                   {{"edited", plan.json["proposal"]}, {"note", "start with the deepest scars"}});
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(accepted.json["status"], "accepted");
  EXPECT_EQ(accepted.json["accepted_by"], server.north.clinician.id);
  EXPECT_EQ(clinician.post("/api/v1/plans/" + plan_id + "/accept", Json::object()).status, 409);

  // A session with a side effect, recorded by the assistant.
  Answer session = assistant.post("/api/v1/patients/" + patient_id + "/sessions",
                                  {{"date", "2026-09-15"},
                                   {"modality", "tca_cross"},
                                   {"region", "left_cheek"},
                                   {"parameters", {{"tca_concentration_pct", 100}}},
                                   {"plan_id", plan_id},
                                   {"target_assessment_id", scan.json["assessment"]["id"]},
                                   {"target_scar_ids", {analysis["scars"][1]["id"]}},
                                   {"operator_id", server.north.clinician.id}});
  ASSERT_EQ(session.status, 201) << session.body;
  const std::string session_id = session.json["id"];
  Answer event = assistant.post("/api/v1/sessions/" + session_id + "/adverse-events",
                                {{"kind", "erythema"}, {"severity", "mild"}, {"onset", "2026-09-15"}});
  ASSERT_EQ(event.status, 201) << event.body;
  ASSERT_EQ(assistant.patch("/api/v1/adverse-events/" + event.json["id"].get<std::string>(), {{"resolved", "2026-09-20"}})
                .status,
            200);
  // A parameter out of its range is refused, naming it.
  Answer out_of_range = assistant.post("/api/v1/patients/" + patient_id + "/sessions",
                                       {{"date", "2026-09-15"}, {"modality", "tca_cross"}, {"region", "left_cheek"},
                                        {"parameters", {{"tca_concentration_pct", 1000}}}});
  EXPECT_EQ(out_of_range.status, 422) << out_of_range.body;
  EXPECT_EQ(out_of_range.json["field"], "parameters.tca_concentration_pct");

  // The follow-up: the server queues its comparison with the baseline by itself.
  Answer follow_visit = assistant.post("/api/v1/patients/" + patient_id + "/visits",
                                       {{"date", "2026-12-01"}, {"region", "left_cheek"}});
  ASSERT_EQ(follow_visit.status, 201);
  Answer follow_upload =
      assistant.send("POST", "/api/v1/visits/" + follow_visit.json["id"].get<std::string>() + "/scans?file_name=followup.x3p",
                     synthetic_scan_x3p(11, 0.6), "application/octet-stream");
  ASSERT_EQ(follow_upload.status, 201) << follow_upload.body;
  ASSERT_EQ(server.wait_for_job(assistant, follow_upload.json["job"]["id"])["state"], "done");
  server.wait_for_all_jobs();
  Answer comparisons = clinician.get("/api/v1/patients/" + patient_id + "/comparisons");
  ASSERT_EQ(comparisons.status, 200);
  ASSERT_GE(comparisons.json["items"].size(), 1u) << comparisons.body;
  EXPECT_EQ(comparisons.json["items"].back()["baseline_scan_id"], baseline_scan);

  // Progress across the visits: the scars lost about 40 % of their volume.
  Answer progress = clinician.get("/api/v1/patients/" + patient_id + "/progress");
  ASSERT_EQ(progress.status, 200) << progress.body;
  EXPECT_EQ(progress.json["region"], "left_cheek");
  ASSERT_EQ(progress.json["visits"].size(), 2u) << progress.body;
  EXPECT_TRUE(progress.json["pending"].empty());
  const Json& series = progress.json["series"];
  ASSERT_TRUE(series.is_object());
  ASSERT_FALSE(series["comparisons"].empty());
  const double change = series["comparisons"][0]["global"]["volume_change_pct"];
  EXPECT_LT(change, -20.0) << "a follow-up at 60 % depth shows less volume";
  EXPECT_GT(change, -60.0);
  EXPECT_FALSE(series["scars"].empty());

  // The course as CSV, and the export in the audit trail.
  Answer csv = clinician.get("/api/v1/patients/" + patient_id + "/export.csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.body.rfind("date,event,id,region,what,value,detail", 0), 0u);
  for (const char* event_kind : {",visit,", ",scan,", ",assessment,", ",plan,", ",session,", ",adverse_event,", ",comparison,"})
    EXPECT_NE(csv.body.find(event_kind), std::string::npos) << event_kind;
  EXPECT_EQ(csv.body.find("Course Patient"), std::string::npos) << "no name in the export";
  ApiClient admin = server.client_as(server.north.admin);
  Answer audit = admin.get("/api/v1/audit?patient_id=" + patient_id + "&limit=1000");
  ASSERT_EQ(audit.status, 200);
  std::set<std::string> actions;
  for (const Json& entry : audit.json["items"]) actions.insert(entry["action"].get<std::string>() + " " + entry["object_kind"].get<std::string>());
  for (const char* expected : {"create patient", "update patient", "create scan", "read scan", "update assessment",
                               "create plan", "update plan", "create session", "create adverse_event", "read progress",
                               "export patient"})
    EXPECT_TRUE(actions.count(expected)) << expected;

  // Outcomes: one patient treated with TCA CROSS, measured.
  Answer outcomes = clinician.get("/api/v1/outcomes");
  ASSERT_EQ(outcomes.status, 200);
  ASSERT_EQ(outcomes.json["by_modality"].size(), 1u) << outcomes.body;
  EXPECT_EQ(outcomes.json["by_modality"][0]["modality"], "tca_cross");
  EXPECT_EQ(outcomes.json["by_modality"][0]["patients"], 1);
  EXPECT_NE(outcomes.json["label"].get<std::string>().find("not efficacy"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Engines, Course, testing::ValuesIn(test_engines()), engine_name_for_test);

}  // namespace
}  // namespace scarscope::test
