// Triangle meshes written as a 3D face scanner would write them (OBJ, ASCII STL, binary STL), for
// the mesh readers' and mesh regions' tests. Coordinates in micrometres in memory, millimetres in
// the files.
#pragma once
#include <array>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "surface/formats/resample.h"

namespace scarscope::test {

struct TestMesh {
  std::vector<formats::Point3> vertices;         // micrometres
  std::vector<std::array<std::uint32_t, 3>> faces;  // 0-based, counter-clockwise seen from outside
};

inline std::string obj_text(const TestMesh& mesh) {
  std::string text = "# analytic test mesh, millimetres\no test\n";
  char line[160];
  for (const auto& v : mesh.vertices) {
    std::snprintf(line, sizeof line, "v %.9f %.9f %.9f\n", v.x / 1000.0, v.y / 1000.0, v.z / 1000.0);
    text += line;
  }
  text += "vn 0 0 1\n";
  for (const auto& f : mesh.faces) {
    std::snprintf(line, sizeof line, "f %u//1 %u//1 %u//1\n", f[0] + 1, f[1] + 1, f[2] + 1);
    text += line;
  }
  return text;
}

inline std::string ascii_stl_text(const TestMesh& mesh) {
  std::string text = "solid test\n";
  char line[160];
  for (const auto& f : mesh.faces) {
    text += "  facet normal 0 0 0\n    outer loop\n";
    for (std::uint32_t index : f) {
      const auto& v = mesh.vertices[index];
      std::snprintf(line, sizeof line, "      vertex %.9e %.9e %.9e\n", v.x / 1000.0, v.y / 1000.0, v.z / 1000.0);
      text += line;
    }
    text += "    endloop\n  endfacet\n";
  }
  return text + "endsolid test\n";
}

inline void append_f32(std::string& bytes, float value) {
  char raw[4];
  std::memcpy(raw, &value, 4);  // little-endian machines only (as the test machines are)
  bytes.append(raw, 4);
}

// The 80-byte header begins with "solid", as many binary writers' do.
inline std::string binary_stl_bytes(const TestMesh& mesh) {
  std::string bytes = "solid binary STL written by ScarScope's tests";
  bytes.resize(80, ' ');
  const auto count = static_cast<std::uint32_t>(mesh.faces.size());
  char raw[4];
  std::memcpy(raw, &count, 4);
  bytes.append(raw, 4);
  for (const auto& f : mesh.faces) {
    for (int k = 0; k < 3; ++k) append_f32(bytes, 0.0f);
    for (std::uint32_t index : f) {
      const auto& v = mesh.vertices[index];
      append_f32(bytes, static_cast<float>(v.x / 1000.0));
      append_f32(bytes, static_cast<float>(v.y / 1000.0));
      append_f32(bytes, static_cast<float>(v.z / 1000.0));
    }
    bytes.append(2, '\0');
  }
  return bytes;
}

}  // namespace scarscope::test
