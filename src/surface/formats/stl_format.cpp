#include "surface/formats/stl_format.h"

#include <bit>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/error.h"
#include "surface/formats/format_common.h"

namespace scarscope::formats {

namespace {

constexpr std::size_t kHeaderBytes = 84;
constexpr std::size_t kTriangleBytes = 50;

std::uint32_t load_u32_le(const char* raw) {
  const auto* b = reinterpret_cast<const unsigned char*>(raw);
  return static_cast<std::uint32_t>(b[0]) | (static_cast<std::uint32_t>(b[1]) << 8) |
         (static_cast<std::uint32_t>(b[2]) << 16) | (static_cast<std::uint32_t>(b[3]) << 24);
}

float load_f32_le(const char* raw) {
  return std::bit_cast<float>(load_u32_le(raw));
}

void check_vertex_count(std::uint64_t vertices, const std::string& name, std::uint64_t max_points) {
  if (vertices > max_points || vertices > std::numeric_limits<std::uint32_t>::max()) {
    throw InputError(name + ": " + std::to_string(vertices) + " vertices exceeds the limit of " +
                     std::to_string(std::min<std::uint64_t>(max_points, std::numeric_limits<std::uint32_t>::max())) +
                     " (--max-points)");
  }
}

Point3 scaled_point(const double xyz[3], double factor, const std::string& where) {
  Point3 point{xyz[0] * factor, xyz[1] * factor, xyz[2] * factor};
  if (!std::isfinite(point.x) || !std::isfinite(point.y) || !std::isfinite(point.z)) {
    throw InputError(where + ": a vertex coordinate is not finite (" + format_number(xyz[0]) + ", " +
                     format_number(xyz[1]) + ", " + format_number(xyz[2]) + ")");
  }
  return point;
}

Mesh read_binary(std::string_view bytes, const std::string& name, double factor, std::uint64_t max_points) {
  const std::uint32_t count = load_u32_le(bytes.data() + 80);
  check_vertex_count(3 * static_cast<std::uint64_t>(count), name, max_points);
  Mesh mesh;
  mesh.vertices.reserve(3 * static_cast<std::size_t>(count));  // the size check bounds it by the file
  mesh.triangles.reserve(count);
  for (std::uint32_t t = 0; t < count; ++t) {
    const char* record = bytes.data() + kHeaderBytes + static_cast<std::size_t>(t) * kTriangleBytes;
    const std::string where = name + ": triangle " + std::to_string(t + 1);
    for (int k = 0; k < 3; ++k) {
      const char* corner = record + 12 + 12 * k;  // after the facet normal
      const double xyz[3] = {load_f32_le(corner), load_f32_le(corner + 4), load_f32_le(corner + 8)};
      mesh.vertices.push_back(scaled_point(xyz, factor, where));
    }
    const auto first = static_cast<std::uint32_t>(mesh.vertices.size() - 3);
    mesh.triangles.push_back({first, first + 1, first + 2});
  }
  return mesh;
}

// ASCII STL read word by word, each word's line kept for messages.
class Words {
 public:
  explicit Words(std::string_view text) : text_(text) {}
  std::string_view next() {
    while (position_ < text_.size()) {
      const char c = text_[position_];
      if (c == '\n') ++line_;
      if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\f' && c != '\v') break;
      ++position_;
    }
    const std::size_t start = position_;
    while (position_ < text_.size()) {
      const char c = text_[position_];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f' || c == '\v') break;
      ++position_;
    }
    return text_.substr(start, position_ - start);
  }
  void skip_line() {
    while (position_ < text_.size() && text_[position_] != '\n') ++position_;
  }
  std::size_t line() const { return line_; }
  std::size_t remaining() const { return text_.size() - position_; }

 private:
  std::string_view text_;
  std::size_t position_ = 0;
  std::size_t line_ = 1;
};

Mesh read_ascii(std::string_view bytes, const std::string& name, double factor, std::uint64_t max_points) {
  Words words(bytes);
  const auto where = [&] { return name + ": line " + std::to_string(words.line()); };
  const auto expect = [&](std::string_view wanted) {
    const std::string_view word = words.next();
    if (word != wanted) {
      throw InputError(where() + ": expected '" + std::string(wanted) + "', found " +
                       (word.empty() ? std::string("the end of the file") : "'" + std::string(word.substr(0, 40)) + "'"));
    }
  };
  const auto number = [&]() {
    const std::string_view word = words.next();
    const std::optional<double> value = parse_number(word);
    if (!value) {
      throw InputError(where() + ": expected a number, found " +
                       (word.empty() ? std::string("the end of the file") : "'" + std::string(word.substr(0, 40)) + "'"));
    }
    return *value;
  };
  if (words.next() != "solid") {
    throw InputError(name + ": not an STL file: not binary (the size is not 84 + 50 x the triangle count in its header) "
                            "and not ASCII (does not start with 'solid')");
  }
  words.skip_line();  // the solid's name
  Mesh mesh;
  std::vector<Point3> loop;
  for (;;) {
    const std::string_view word = words.next();
    if (word.empty()) throw InputError(name + ": the file ends before 'endsolid'");
    if (word == "endsolid") {
      words.skip_line();
      const std::string_view after = words.next();
      if (after.empty()) break;
      if (after != "solid") throw InputError(where() + ": '" + std::string(after.substr(0, 40)) + "' after 'endsolid'");
      words.skip_line();  // another solid follows
      continue;
    }
    if (word != "facet") throw InputError(where() + ": expected 'facet' or 'endsolid', found '" + std::string(word.substr(0, 40)) + "'");
    const std::size_t facet_line = words.line();
    expect("normal");
    for (int k = 0; k < 3; ++k) (void)number();
    expect("outer");
    expect("loop");
    loop.clear();
    for (std::string_view corner = words.next(); corner != "endloop"; corner = words.next()) {
      if (corner != "vertex") {
        throw InputError(where() + ": expected 'vertex' or 'endloop', found " +
                         (corner.empty() ? std::string("the end of the file") : "'" + std::string(corner.substr(0, 40)) + "'"));
      }
      const double xyz[3] = {number(), number(), number()};
      loop.push_back(scaled_point(xyz, factor, where()));
    }
    expect("endfacet");
    if (loop.size() < 3) {
      throw InputError(name + ": line " + std::to_string(facet_line) + ": a facet with " + std::to_string(loop.size()) +
                       " vertices (a triangle needs 3)");
    }
    check_vertex_count(mesh.vertices.size() + loop.size(), name, max_points);
    // A polygon (some writers emit them) is fanned into triangles, as OBJ faces are.
    const auto first = static_cast<std::uint32_t>(mesh.vertices.size());
    mesh.vertices.insert(mesh.vertices.end(), loop.begin(), loop.end());
    for (std::uint32_t k = 2; k < loop.size(); ++k) mesh.triangles.push_back({first, first + k - 1, first + k});
  }
  return mesh;
}

}  // namespace

bool is_binary_stl(std::string_view bytes) {
  if (bytes.size() < kHeaderBytes) return false;
  const std::uint64_t count = load_u32_le(bytes.data() + 80);
  return bytes.size() == kHeaderBytes + kTriangleBytes * count;
}

Mesh read_stl_mesh(std::string_view bytes, const std::string& name, double micrometres_per_unit,
                   std::uint64_t max_points) {
  Mesh mesh = is_binary_stl(bytes) ? read_binary(bytes, name, micrometres_per_unit, max_points)
                                   : read_ascii(bytes, name, micrometres_per_unit, max_points);
  if (mesh.triangles.empty()) throw InputError(name + ": the STL file has no triangles");
  mesh.micrometres_per_unit = micrometres_per_unit;
  return mesh;
}

HeightMap read_stl_bytes(std::string_view bytes, const std::string& name, const ReadOptions& options,
                         const Sidecar* sidecar) {
  return read_mesh_height_map(bytes, name, "STL", "stl", options, sidecar, read_stl_mesh);
}

}  // namespace scarscope::formats
