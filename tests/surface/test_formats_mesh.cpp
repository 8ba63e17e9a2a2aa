// OBJ and STL meshes (ASCII and binary) read as height maps as PLY meshes are: an analytic plane
// comes back exactly from every writing of the same mesh (quads fanned, negative indices, v/vt/vn
// corners, a binary header that begins with "solid"), and broken files are refused with a message
// naming the line or triangle.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "formats_test_maps.h"
#include "mesh_test_files.h"
#include "surface/formats/format_common.h"
#include "surface/formats/obj_format.h"
#include "surface/formats/stl_format.h"
#include "surface/io.h"
#include "test_support.h"

namespace scarscope {
namespace {

using test::input_error_message;

// z = 0.02 x - 0.01 y + 5 (um), over 0..400 x 0..300 um, vertices every 50 um.
double plane(double x, double y) { return 0.02 * x - 0.01 * y + 5.0; }
constexpr int kColumns = 9, kRows = 7;
constexpr double kStep = 50.0;

test::TestMesh plane_mesh() {
  test::TestMesh mesh;
  for (int r = 0; r < kRows; ++r)
    for (int c = 0; c < kColumns; ++c) mesh.vertices.push_back({c * kStep, r * kStep, plane(c * kStep, r * kStep)});
  for (int r = 0; r + 1 < kRows; ++r)
    for (int c = 0; c + 1 < kColumns; ++c) {
      const auto a = static_cast<std::uint32_t>(r * kColumns + c), b = a + 1, d = a + kColumns, e = d + 1;
      mesh.faces.push_back({a, b, e});
      mesh.faces.push_back({a, e, d});
    }
  return mesh;
}

// The same plane written as quads, every corner in another form, some by negative index.
std::string obj_quads_text() {
  std::string text = "# quads\nmtllib skin.mtl\n";
  char line[128];
  for (int r = 0; r < kRows; ++r)
    for (int c = 0; c < kColumns; ++c) {
      std::snprintf(line, sizeof line, "v %.6f %.6f %.9f 1.0\n", c * kStep / 1000.0, r * kStep / 1000.0,
                    plane(c * kStep, r * kStep) / 1000.0);
      text += line;
    }
  text += "vt 0 0\nvn 0 0 1\ng cheek\nusemtl skin\ns 1\n";
  const int count = kColumns * kRows;
  for (int r = 0; r + 1 < kRows; ++r)
    for (int c = 0; c + 1 < kColumns; ++c) {
      const int a = r * kColumns + c + 1, b = a + 1, d = a + kColumns, e = d + 1;
      // a as "i", b as "i/t", e as "i//n", d as a negative "i/t/n".
      std::snprintf(line, sizeof line, "f %d %d/1 %d//1 %d/1/1  # quad\n", a, b, e, d - count - 1);
      text += line;
    }
  return text;
}

void expect_plane(const HeightMap& map) {
  ASSERT_EQ(map.nx(), kColumns);
  ASSERT_EQ(map.ny(), kRows);
  EXPECT_NEAR(map.dx_um(), kStep, 1e-4);  // binary STL holds float32 millimetres: 0.05 -> 0.04999999702
  EXPECT_EQ(map.valid_count(), static_cast<std::size_t>(kColumns * kRows));
  for (int r = 0; r < kRows; ++r)
    for (int c = 0; c < kColumns; ++c) EXPECT_NEAR(map.height(r, c), plane(c * kStep, r * kStep), 1e-3) << r << "," << c;
}

ReadOptions in_mm() {
  ReadOptions options;
  options.units = "mm";
  return options;
}

HeightMap read_as(const std::string& bytes, const std::string& name) {
  return read_height_map(as_bytes(bytes), ByteSource{name, "", ""}, in_mm());
}

TEST(FormatsMesh, ObjStlAsciiAndBinaryGiveTheSamePlane) {
  const test::TestMesh mesh = plane_mesh();
  expect_plane(read_as(test::obj_text(mesh), "plane.obj"));
  expect_plane(read_as(obj_quads_text(), "quads.obj"));
  expect_plane(read_as(test::ascii_stl_text(mesh), "plane.stl"));
  const std::string binary = test::binary_stl_bytes(mesh);
  ASSERT_EQ(binary.substr(0, 5), "solid");  // a binary file that begins like an ASCII one
  EXPECT_TRUE(formats::is_binary_stl(binary));
  const HeightMap map = read_as(binary, "plane.stl");
  expect_plane(map);
  EXPECT_EQ(map.metadata.source_format, "stl");
  EXPECT_EQ(read_as(test::obj_text(mesh), "plane.obj").metadata.source_format, "obj");
}

TEST(FormatsMesh, NamesAndExtensionsAreKnown) {
  EXPECT_EQ(format_from_name("face.OBJ"), "obj");
  EXPECT_EQ(format_from_name("face.stl"), "stl");
  const std::string message = input_error_message([] {
    const test::TestMesh mesh = plane_mesh();
    read_height_map(as_bytes(test::obj_text(mesh)), ByteSource{"plane.obj", "", ""}, ReadOptions{});
  });
  EXPECT_NE(message.find("--units"), std::string::npos) << message;
}

std::string obj_error(const std::string& text) {
  return input_error_message([&] { formats::read_obj_mesh(text, "bad.obj", 1000.0, 1u << 20); });
}

TEST(FormatsMesh, ObjErrorsNameTheLineAndTheProblem) {
  const std::string vertices = "v 0 0 0\nv 1 0 0\nv 0 1 0\n";
  EXPECT_NE(obj_error(vertices + "f 1 2 4\n").find("line 4: face corner 4 is out of range (the file has 3 vertices"),
            std::string::npos)
      << obj_error(vertices + "f 1 2 4\n");
  EXPECT_NE(obj_error(vertices + "f 0 1 2\n").find("line 4: face corner '0'"), std::string::npos);
  EXPECT_NE(obj_error(vertices + "f -1 -2 -4\n").find("counts back past the first vertex"), std::string::npos);
  EXPECT_NE(obj_error(vertices + "f 1 2\n").find("at least 3 corners"), std::string::npos);
  EXPECT_NE(obj_error("v 0 nan 0\n").find("line 1: vertex coordinate 'nan' is not finite"), std::string::npos);
  EXPECT_NE(obj_error("v 0 1e999 0\n").find("not finite"), std::string::npos);
  EXPECT_NE(obj_error("v 0 0\n").find("needs x, y and z"), std::string::npos);
  EXPECT_NE(obj_error(vertices + "frobnicate 3\n").find("line 4: 'frobnicate' is not an OBJ statement"), std::string::npos);
  EXPECT_NE(obj_error(vertices).find("no faces"), std::string::npos);
  EXPECT_NE(input_error_message([&] { formats::read_obj_mesh(vertices + "f 1 2 3\n", "big.obj", 1.0, 2); }).find("--max-points"),
            std::string::npos);
}

std::string stl_error(const std::string& bytes) {
  return input_error_message([&] { formats::read_stl_mesh(bytes, "bad.stl", 1000.0, 1u << 20); });
}

TEST(FormatsMesh, StlErrorsNameTheTriangleOrLine) {
  const test::TestMesh mesh = plane_mesh();
  std::string binary = test::binary_stl_bytes(mesh);
  // Truncated: the size no longer matches, and "solid" starts no valid ASCII file either.
  const std::string truncated = stl_error(binary.substr(0, binary.size() - 7));
  EXPECT_NE(truncated.find("bad.stl: line "), std::string::npos) << truncated;
  EXPECT_NE(truncated.find("expected"), std::string::npos) << truncated;
  std::string no_solid = binary.substr(0, binary.size() - 7);
  no_solid.replace(0, 5, "xxxxx");
  EXPECT_NE(stl_error(no_solid).find("not binary (the size is not 84 + 50 x the triangle count"), std::string::npos);
  // A header claiming four billion triangles in a small file: refused before anything is allocated.
  std::string absurd = binary;
  absurd.replace(0, 5, "xxxxx");
  absurd.replace(80, 4, "\xff\xff\xff\xff");
  EXPECT_NE(stl_error(absurd).find("not binary"), std::string::npos);
  // NaN coordinate in triangle 3.
  std::string nan = binary;
  const float not_a_number = std::nanf("");
  std::memcpy(nan.data() + 84 + 2 * 50 + 12 + 4, &not_a_number, 4);
  EXPECT_NE(stl_error(nan).find("triangle 3: a vertex coordinate is not finite"), std::string::npos) << stl_error(nan);
  // ASCII: a facet of two vertices, a file cut short, a misspelt keyword.
  const std::string two = "solid x\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 1 0 0\nendloop\nendfacet\nendsolid x\n";
  EXPECT_NE(stl_error(two).find("line 2: a facet with 2 vertices"), std::string::npos) << stl_error(two);
  const std::string ascii = test::ascii_stl_text(mesh);
  const std::string cut = ascii.substr(0, ascii.find("vertex", ascii.size() / 2) + 8);  // inside a vertex's numbers
  EXPECT_NE(stl_error(cut).find("expected a number, found the end of the file"), std::string::npos) << stl_error(cut);
  EXPECT_NE(stl_error(ascii.substr(0, ascii.find("endsolid"))).find("ends before 'endsolid'"), std::string::npos);
  const std::string misspelt = "solid x\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertx 1 0 0\n";
  EXPECT_NE(stl_error(misspelt).find("line 5: expected 'vertex' or 'endloop', found 'vertx'"), std::string::npos)
      << stl_error(misspelt);
  EXPECT_NE(stl_error("solid x\nendsolid x\n").find("no triangles"), std::string::npos);
  EXPECT_NE(input_error_message([&] { formats::read_stl_mesh(binary, "big.stl", 1.0, 10); }).find("--max-points"),
            std::string::npos);
}

}  // namespace
}  // namespace scarscope
