// Uploads of files that do not say their unit (here meshes from a 3D face scanner: OBJ and binary
// STL patches): the uploader gives the unit, the record keeps the X3P of what was read, and the
// analysis job, which is not told the unit again, measures the scar from the kept file.
#include <gtest/gtest.h>

#include <cmath>

#include "../surface/mesh_test_files.h"
#include "server_test_support.h"

namespace scarscope::test {
namespace {

constexpr double dimple_depth_um = 300.0;

// A flat 10 x 10 mm patch, 50 um between vertices, with a Gaussian dimple (sigma 0.8 mm) in its
// middle: one rolling-like scar of depth 300 um.
TestMesh dimpled_patch() {
  TestMesh mesh;
  const int n = 201;
  const double step_um = 50.0, sigma_um = 800.0, middle_um = 5000.0;
  for (int j = 0; j < n; ++j) {
    for (int i = 0; i < n; ++i) {
      const double x = i * step_um, y = j * step_um;
      const double r2 = (x - middle_um) * (x - middle_um) + (y - middle_um) * (y - middle_um);
      mesh.vertices.push_back({x, y, -dimple_depth_um * std::exp(-r2 / (2 * sigma_um * sigma_um))});
    }
  }
  for (int j = 0; j + 1 < n; ++j) {
    for (int i = 0; i + 1 < n; ++i) {
      const auto a = static_cast<std::uint32_t>(j * n + i);
      const auto b = a + 1, c = a + static_cast<std::uint32_t>(n), d = c + 1;
      mesh.faces.push_back({a, b, d});
      mesh.faces.push_back({a, d, c});
    }
  }
  return mesh;
}

class MeshUpload : public testing::TestWithParam<store::Engine> {
 protected:
  // A patient with one visit; the visit's id.
  static std::string new_visit(ApiClient& api) {
    Answer patient = api.post("/api/v1/patients", {{"name", "Mesh Patient"}});
    EXPECT_EQ(patient.status, 201) << patient.body;
    Answer visit = api.post("/api/v1/patients/" + patient.json["id"].get<std::string>() + "/visits",
                            {{"date", "2026-10-01"}, {"region", "left_cheek"}});
    EXPECT_EQ(visit.status, 201) << visit.body;
    return visit.json["id"];
  }
};

TEST_P(MeshUpload, ObjWithItsUnitIsKeptAsX3pAndAnalysed) {
  TestServer server(GetParam(), [](server::ServeOptions& options) { options.workers = 1; });
  ApiClient assistant = server.client_as(server.north.assistant);
  const std::string visit = new_visit(assistant);

  Answer upload = assistant.send("POST", "/api/v1/visits/" + visit + "/scans?file_name=patch.obj&format=obj&units=mm",
                                 obj_text(dimpled_patch()), "application/octet-stream");
  ASSERT_EQ(upload.status, 201) << upload.body;
  EXPECT_EQ(upload.json["scan"]["file_name"], "patch.obj");
  EXPECT_EQ(upload.json["scan"]["format"], "x3p") << "the record keeps what was read, in a format that says its unit";
  const Json job = server.wait_for_job(assistant, upload.json["job"]["id"]);
  ASSERT_EQ(job["state"], "done") << job.dump();

  Answer scan = assistant.get("/api/v1/scans/" + upload.json["scan"]["id"].get<std::string>());
  ASSERT_EQ(scan.status, 200) << scan.body;
  const Json& scars = scan.json["assessment"]["analysis"]["scars"];
  ASSERT_EQ(scars.size(), 1u) << scan.body;
  // Read as micrometres (the wrong unit) the dimple would be 0.3 um deep and no scar at all.
  EXPECT_NEAR(scars[0]["depth_um"].get<double>(), dimple_depth_um, 0.1 * dimple_depth_um);
  // The pictures read the kept file too.
  EXPECT_EQ(assistant.get("/api/v1/scans/" + upload.json["scan"]["id"].get<std::string>() + "/relief.png").status,
            200);
}

TEST_P(MeshUpload, BinaryStlResampledAtTheGivenSpacing) {
  TestServer server(GetParam(), [](server::ServeOptions& options) { options.workers = 1; });
  ApiClient assistant = server.client_as(server.north.assistant);
  const std::string visit = new_visit(assistant);
  Answer upload = assistant.send("POST", "/api/v1/visits/" + visit + "/scans?file_name=patch.stl&units=mm&spacing_um=40",
                                 binary_stl_bytes(dimpled_patch()), "application/octet-stream");
  ASSERT_EQ(upload.status, 201) << upload.body;
  EXPECT_EQ(upload.json["scan"]["format"], "x3p");
  const Json job = server.wait_for_job(assistant, upload.json["job"]["id"]);
  ASSERT_EQ(job["state"], "done") << job.dump();
  Answer scan = assistant.get("/api/v1/scans/" + upload.json["scan"]["id"].get<std::string>());
  ASSERT_EQ(scan.status, 200) << scan.body;
  EXPECT_DOUBLE_EQ(scan.json["assessment"]["analysis"]["scan"]["dx_um"].get<double>(), 40.0) << scan.body;
  ASSERT_EQ(scan.json["assessment"]["analysis"]["scars"].size(), 1u) << scan.body;
}

TEST_P(MeshUpload, WithoutAUnitNothingIsStoredAndTheErrorSaysWhy) {
  TestServer server(GetParam());
  ApiClient assistant = server.client_as(server.north.assistant);
  const std::string visit = new_visit(assistant);
  const auto before = server.counts();

  Answer no_unit = assistant.send("POST", "/api/v1/visits/" + visit + "/scans?file_name=patch.obj",
                                  obj_text(dimpled_patch()), "application/octet-stream");
  EXPECT_EQ(no_unit.status, 400) << no_unit.body;
  EXPECT_NE(no_unit.json.value("detail", "").find("unit"), std::string::npos) << no_unit.body;

  Answer bad_unit = assistant.send("POST", "/api/v1/visits/" + visit + "/scans?file_name=patch.obj&units=inch",
                                   obj_text(dimpled_patch()), "application/octet-stream");
  EXPECT_EQ(bad_unit.status, 422) << bad_unit.body;  // a value outside the route's enumeration
  EXPECT_EQ(bad_unit.json.value("field", ""), "units") << bad_unit.body;

  EXPECT_EQ(server.counts(), before) << "a refused upload stores nothing";
}

INSTANTIATE_TEST_SUITE_P(Engines, MeshUpload, testing::ValuesIn(test_engines()), engine_name_for_test);

}  // namespace
}  // namespace scarscope::test
