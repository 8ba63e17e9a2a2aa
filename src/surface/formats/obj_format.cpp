#include "surface/formats/obj_format.h"

#include <array>
#include <charconv>
#include <cmath>
#include <limits>

#include "core/error.h"
#include "surface/formats/format_common.h"

namespace scarscope::formats {

namespace {

// Statements of the OBJ format that carry no triangle geometry (free-form curves and surfaces,
// texture, normals, grouping, display attributes): skipped.
bool is_skipped_statement(std::string_view word) {
  static constexpr std::array<std::string_view, 31> kSkipped = {
      "vt",     "vn",   "vp",      "g",       "o",          "s",         "usemtl",    "mtllib",
      "l",      "p",    "mg",      "bevel",   "c_interp",   "d_interp",  "lod",       "shadow_obj",
      "trace_obj", "ctech", "stech", "cstype", "deg",       "bmat",      "step",      "curv",
      "curv2",  "surf", "parm",    "trim",    "hole",       "scrv",      "sp"};
  if (word == "end" || word == "con" || word == "call" || word == "csh" || word == "maplib" || word == "usemap") return true;
  for (std::string_view skipped : kSkipped) {
    if (word == skipped) return true;
  }
  return false;
}

// Next word of `line` from `position` (separated by spaces or tabs); empty at the end.
std::string_view next_word(std::string_view line, std::size_t& position) {
  while (position < line.size() && (line[position] == ' ' || line[position] == '\t')) ++position;
  const std::size_t start = position;
  while (position < line.size() && line[position] != ' ' && line[position] != '\t') ++position;
  return line.substr(start, position - start);
}

}  // namespace

Mesh read_obj_mesh(std::string_view bytes, const std::string& name, double micrometres_per_unit,
                   std::uint64_t max_points) {
  Mesh mesh;
  mesh.micrometres_per_unit = micrometres_per_unit;
  // Face corners as written (1-based, or negative and already resolved); checked against the final
  // vertex count, since a face may name a vertex defined after it.
  std::vector<std::int64_t> corners;
  std::vector<std::size_t> corner_lines;  // line of each face's first corner, for messages
  std::vector<std::int64_t> polygon;
  for_each_line(bytes, [&](std::size_t line_number, std::string_view line) {
    const std::size_t hash = line.find('#');
    if (hash != std::string_view::npos) line = line.substr(0, hash);
    line = trim(line);
    if (line.empty()) return;
    const auto where = [&] { return name + ": line " + std::to_string(line_number); };
    std::size_t position = 0;
    const std::string_view keyword = next_word(line, position);
    if (keyword == "v") {
      double xyz[3];
      for (double& value : xyz) {
        const std::string_view word = next_word(line, position);
        if (word.empty()) throw InputError(where() + ": a vertex needs x, y and z");
        const std::optional<double> number = parse_number(word);
        if (!number) throw InputError(where() + ": '" + std::string(word.substr(0, 40)) + "' is not a number");
        if (!std::isfinite(*number)) throw InputError(where() + ": vertex coordinate '" + std::string(word.substr(0, 40)) + "' is not finite");
        value = *number * micrometres_per_unit;
        if (!std::isfinite(value)) throw InputError(where() + ": vertex coordinate '" + std::string(word.substr(0, 40)) + "' is too large");
      }
      if (mesh.vertices.size() >= max_points || mesh.vertices.size() >= std::numeric_limits<std::uint32_t>::max()) {
        throw InputError(name + ": more than " + std::to_string(max_points) + " vertices (--max-points)");
      }
      mesh.vertices.push_back({xyz[0], xyz[1], xyz[2]});
    } else if (keyword == "f") {
      polygon.clear();
      for (std::string_view word = next_word(line, position); !word.empty(); word = next_word(line, position)) {
        const std::string_view index_text = word.substr(0, word.find('/'));
        std::int64_t index = 0;
        const auto result = std::from_chars(index_text.data(), index_text.data() + index_text.size(), index);
        if (result.ec != std::errc() || result.ptr != index_text.data() + index_text.size() || index == 0) {
          throw InputError(where() + ": face corner '" + std::string(word.substr(0, 40)) +
                           "' is not a vertex index (1 is the first vertex, -1 the last so far)");
        }
        if (index < 0) {
          const auto so_far = static_cast<std::int64_t>(mesh.vertices.size());
          if (-index > so_far) {
            throw InputError(where() + ": face corner " + std::to_string(index) + " counts back past the first vertex (" +
                             std::to_string(so_far) + " defined so far)");
          }
          index = so_far + index + 1;
        }
        polygon.push_back(index);
      }
      if (polygon.size() < 3) throw InputError(where() + ": a face needs at least 3 corners");
      // Fanned from the first corner: k corners make k - 2 triangles.
      for (std::size_t k = 2; k < polygon.size(); ++k) {
        corners.insert(corners.end(), {polygon[0], polygon[k - 1], polygon[k]});
        corner_lines.push_back(line_number);
      }
    } else if (!is_skipped_statement(keyword)) {
      throw InputError(where() + ": '" + std::string(keyword.substr(0, 40)) + "' is not an OBJ statement");
    }
  });
  if (mesh.vertices.empty()) throw InputError(name + ": the OBJ file has no vertices ('v' lines)");
  if (corners.empty()) throw InputError(name + ": the OBJ file has no faces ('f' lines); ScarScope reads meshes, not point clouds, from OBJ");
  const auto count = static_cast<std::int64_t>(mesh.vertices.size());
  mesh.triangles.reserve(corners.size() / 3);
  for (std::size_t t = 0; t < corner_lines.size(); ++t) {
    Triangle triangle{};
    for (std::size_t k = 0; k < 3; ++k) {
      const std::int64_t index = corners[3 * t + k];
      if (index > count) {
        throw InputError(name + ": line " + std::to_string(corner_lines[t]) + ": face corner " + std::to_string(index) +
                         " is out of range (the file has " + std::to_string(count) + " vertices, numbered from 1)");
      }
      triangle[k] = static_cast<std::uint32_t>(index - 1);
    }
    mesh.triangles.push_back(triangle);
  }
  return mesh;
}

HeightMap read_obj_bytes(std::string_view bytes, const std::string& name, const ReadOptions& options,
                         const Sidecar* sidecar) {
  return read_mesh_height_map(bytes, name, "OBJ", "obj", options, sidecar, read_obj_mesh);
}

}  // namespace scarscope::formats
