#include "surface/formats/ply_format.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#include "core/error.h"
#include "surface/formats/format_common.h"
#include "surface/formats/resample.h"

namespace scarscope::formats {

namespace {

enum class Encoding { ascii, binary_little_endian, binary_big_endian };
enum class ScalarType { i8, u8, i16, u16, i32, u32, f32, f64 };

struct Property {
  std::string name;
  ScalarType type = ScalarType::f32;
  bool is_list = false;
  ScalarType count_type = ScalarType::u8;
};

struct Element {
  std::string name;
  std::uint64_t count = 0;
  std::size_t header_line = 0;
  std::vector<Property> properties;
};

std::optional<ScalarType> scalar_type(std::string_view name) {
  if (name == "char" || name == "int8") return ScalarType::i8;
  if (name == "uchar" || name == "uint8") return ScalarType::u8;
  if (name == "short" || name == "int16") return ScalarType::i16;
  if (name == "ushort" || name == "uint16") return ScalarType::u16;
  if (name == "int" || name == "int32") return ScalarType::i32;
  if (name == "uint" || name == "uint32") return ScalarType::u32;
  if (name == "float" || name == "float32") return ScalarType::f32;
  if (name == "double" || name == "float64") return ScalarType::f64;
  return std::nullopt;
}

std::size_t size_of(ScalarType type) {
  switch (type) {
    case ScalarType::i8:
    case ScalarType::u8:
      return 1;
    case ScalarType::i16:
    case ScalarType::u16:
      return 2;
    case ScalarType::i32:
    case ScalarType::u32:
    case ScalarType::f32:
      return 4;
    case ScalarType::f64:
      return 8;
  }
  return 8;
}

std::vector<std::string_view> split_words(std::string_view line) {
  std::vector<std::string_view> words;
  std::size_t start = 0;
  while (start < line.size()) {
    while (start < line.size() && (line[start] == ' ' || line[start] == '\t' || line[start] == '\r')) ++start;
    if (start >= line.size()) break;
    std::size_t end = start;
    while (end < line.size() && line[end] != ' ' && line[end] != '\t' && line[end] != '\r') ++end;
    words.push_back(line.substr(start, end - start));
    start = end;
  }
  return words;
}

struct Header {
  Encoding encoding = Encoding::ascii;
  std::vector<Element> elements;
  std::size_t body_offset = 0;
  std::size_t body_first_line = 0;  // line number of the first body line (ASCII)
};

Header parse_header(std::string_view bytes, const std::string& name) {
  Header header;
  std::size_t position = 0;
  std::size_t line_number = 0;
  bool saw_format = false;
  bool ended = false;
  while (position < bytes.size()) {
    ++line_number;
    std::size_t end = bytes.find('\n', position);
    if (end == std::string_view::npos) end = bytes.size();
    std::string_view line = bytes.substr(position, end - position);
    position = std::min(bytes.size(), end + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const std::string where = name + ": header line " + std::to_string(line_number);
    const std::vector<std::string_view> words = split_words(line);
    if (line_number == 1) {
      if (words.size() != 1 || words[0] != "ply") throw InputError(name + ": not a PLY file (first line is not 'ply')");
      continue;
    }
    if (words.empty() || words[0] == "comment" || words[0] == "obj_info") continue;
    if (words[0] == "end_header") {
      ended = true;
      break;
    }
    if (words[0] == "format") {
      if (words.size() < 2) throw InputError(where + ": 'format' needs ascii or binary_little_endian");
      if (words[1] == "ascii") {
        header.encoding = Encoding::ascii;
      } else if (words[1] == "binary_little_endian") {
        header.encoding = Encoding::binary_little_endian;
      } else if (words[1] == "binary_big_endian") {
        header.encoding = Encoding::binary_big_endian;
      } else {
        throw InputError(where + ": unknown format '" + std::string(words[1].substr(0, 40)) + "'");
      }
      saw_format = true;
    } else if (words[0] == "element") {
      if (words.size() != 3) throw InputError(where + ": 'element' needs a name and a count");
      const std::optional<double> count = parse_number(words[2]);
      if (!count || *count < 0 || *count != std::floor(*count) || *count > 1.8e19) {
        throw InputError(where + ": element count '" + std::string(words[2].substr(0, 40)) + "' is not a count");
      }
      Element element;
      element.name = std::string(words[1]);
      element.count = static_cast<std::uint64_t>(*count);
      element.header_line = line_number;
      header.elements.push_back(std::move(element));
    } else if (words[0] == "property") {
      if (header.elements.empty()) throw InputError(where + ": 'property' before any 'element'");
      Property property;
      if (words.size() == 5 && words[1] == "list") {
        const auto count_type = scalar_type(words[2]);
        const auto item_type = scalar_type(words[3]);
        if (!count_type || !item_type || *count_type == ScalarType::f32 || *count_type == ScalarType::f64) {
          throw InputError(where + ": bad list property types");
        }
        property.is_list = true;
        property.count_type = *count_type;
        property.type = *item_type;
        property.name = std::string(words[4]);
      } else if (words.size() == 3) {
        const auto type = scalar_type(words[1]);
        if (!type) throw InputError(where + ": unknown property type '" + std::string(words[1].substr(0, 40)) + "'");
        property.type = *type;
        property.name = std::string(words[2]);
      } else {
        throw InputError(where + ": 'property' needs a type and a name");
      }
      header.elements.back().properties.push_back(std::move(property));
    } else {
      throw InputError(where + ": unknown keyword '" + std::string(words[0].substr(0, 40)) + "'");
    }
  }
  if (!ended) throw InputError(name + ": PLY header has no end_header line");
  if (!saw_format) throw InputError(name + ": PLY header has no format line");
  header.body_offset = position;
  header.body_first_line = line_number + 1;
  return header;
}

// Reads binary values with bounds checks; every failure names the element being read.
class BinaryCursor {
 public:
  BinaryCursor(std::string_view bytes, bool swap) : bytes_(bytes), swap_(swap) {}
  bool read(ScalarType type, double& value) {
    const std::size_t size = size_of(type);
    if (bytes_.size() - position_ < size) return false;
    unsigned char raw[8];
    std::memcpy(raw, bytes_.data() + position_, size);
    position_ += size;
    if (swap_) std::reverse(raw, raw + size);
    switch (type) {
      case ScalarType::i8: value = static_cast<std::int8_t>(raw[0]); break;
      case ScalarType::u8: value = raw[0]; break;
      case ScalarType::i16: value = load<std::int16_t>(raw); break;
      case ScalarType::u16: value = load<std::uint16_t>(raw); break;
      case ScalarType::i32: value = load<std::int32_t>(raw); break;
      case ScalarType::u32: value = load<std::uint32_t>(raw); break;
      case ScalarType::f32: value = load<float>(raw); break;
      case ScalarType::f64: value = load<double>(raw); break;
    }
    return true;
  }
  std::size_t remaining() const { return bytes_.size() - position_; }

 private:
  template <typename T>
  static T load(const unsigned char* raw) {
    T value;
    std::memcpy(&value, raw, sizeof(T));
    return value;
  }
  std::string_view bytes_;
  std::size_t position_ = 0;
  bool swap_ = false;
};

// Smallest number of bytes one element can take in the body.
std::uint64_t min_element_bytes(const Element& element, Encoding encoding) {
  std::uint64_t bytes = 0;
  for (const Property& property : element.properties) {
    if (encoding == Encoding::ascii) {
      bytes += 2;  // at least one digit and a separator
    } else {
      bytes += size_of(property.is_list ? property.count_type : property.type);
    }
  }
  return std::max<std::uint64_t>(bytes, encoding == Encoding::ascii ? 1 : 0);
}

bool is_face_list(const Property& property) {
  return property.is_list && (property.name == "vertex_indices" || property.name == "vertex_index");
}

}  // namespace

bool looks_like_ply(std::string_view first_bytes) {
  return first_bytes.substr(0, 4) == "ply\n" || first_bytes.substr(0, 5) == "ply\r\n";
}

namespace {

struct ParsedPly {
  std::vector<Point3> vertices;
  std::vector<Triangle> triangles;
  std::size_t trailing_bytes = 0;
  bool has_faces = false;  // the header declares at least one face
};

ParsedPly parse_ply(std::string_view bytes, const std::string& name, double factor, std::uint64_t max_points) {
  if (!looks_like_ply(bytes)) throw InputError(name + ": not a PLY file (first line is not 'ply')");
  const Header header = parse_header(bytes, name);

  // The header's counts must fit in what follows it, before anything is allocated.
  const std::string_view body = bytes.substr(header.body_offset);
  std::uint64_t needed = 0;
  const Element* vertex_element = nullptr;
  const Element* face_element = nullptr;
  for (const Element& element : header.elements) {
    const std::uint64_t each = min_element_bytes(element, header.encoding);
    const std::uint64_t room = each == 0 ? std::numeric_limits<std::uint64_t>::max() : (body.size() - std::min<std::uint64_t>(needed, body.size())) / each;
    if (element.count > room) {
      throw InputError(name + ": header line " + std::to_string(element.header_line) + " claims " +
                       std::to_string(element.count) + " " + element.name + " elements, but the " +
                       std::to_string(body.size()) + " bytes after the header hold at most " + std::to_string(room));
    }
    needed += element.count * each;
    if (element.name == "vertex") vertex_element = &element;
    if (element.name == "face") face_element = &element;
  }
  if (!vertex_element) throw InputError(name + ": PLY has no 'vertex' element");
  int x_index = -1, y_index = -1, z_index = -1;
  for (std::size_t i = 0; i < vertex_element->properties.size(); ++i) {
    const Property& property = vertex_element->properties[i];
    if (property.is_list) continue;
    if (property.name == "x") x_index = static_cast<int>(i);
    if (property.name == "y") y_index = static_cast<int>(i);
    if (property.name == "z") z_index = static_cast<int>(i);
  }
  if (x_index < 0 || y_index < 0 || z_index < 0) {
    throw InputError(name + ": header line " + std::to_string(vertex_element->header_line) +
                     ": the vertex element needs properties x, y and z");
  }
  if (vertex_element->count > max_points) {
    throw InputError(name + ": " + std::to_string(vertex_element->count) + " vertices exceeds the limit of " +
                     std::to_string(max_points) + " (--max-points)");
  }
  if (vertex_element->count > std::numeric_limits<std::uint32_t>::max()) {
    throw InputError(name + ": too many vertices (" + std::to_string(vertex_element->count) + ")");
  }
  const std::uint64_t vertex_count = vertex_element->count;

  std::vector<Point3> vertices;
  vertices.reserve(static_cast<std::size_t>(vertex_count));
  std::vector<Triangle> triangles;
  if (face_element) triangles.reserve(static_cast<std::size_t>(face_element->count));
  std::vector<double> scalars;
  std::vector<std::uint32_t> indices;

  const auto take_element = [&](const Element& element, std::uint64_t number, const std::string& where) {
    if (&element == vertex_element) {
      vertices.push_back({scalars[static_cast<std::size_t>(x_index)] * factor,
                          scalars[static_cast<std::size_t>(y_index)] * factor,
                          scalars[static_cast<std::size_t>(z_index)] * factor});
    } else if (&element == face_element) {
      for (std::size_t k = 2; k < indices.size(); ++k) triangles.push_back({indices[0], indices[k - 1], indices[k]});
    }
    (void)number;
    (void)where;
  };
  const auto check_index = [&](double value, const Element& element, std::uint64_t number, const std::string& where) {
    if (value < 0 || value != std::floor(value) || value >= static_cast<double>(vertex_count)) {
      throw InputError(where + ": " + element.name + " " + std::to_string(number) + ": vertex index " +
                       format_number(value) + " is out of range (the file has " + std::to_string(vertex_count) +
                       " vertices, numbered from 0)");
    }
    return static_cast<std::uint32_t>(value);
  };

  std::size_t trailing_bytes = 0;
  if (header.encoding == Encoding::ascii) {
    std::size_t position = 0;
    std::size_t line_number = header.body_first_line - 1;
    const auto next_line = [&]() -> std::optional<std::string_view> {
      while (position < body.size()) {
        ++line_number;
        std::size_t end = body.find('\n', position);
        if (end == std::string_view::npos) end = body.size();
        const std::string_view line = body.substr(position, end - position);
        position = std::min(body.size(), end + 1);
        if (!trim(line).empty()) return line;
      }
      return std::nullopt;
    };
    for (const Element& element : header.elements) {
      for (std::uint64_t number = 0; number < element.count; ++number) {
        const std::optional<std::string_view> line = next_line();
        if (!line) {
          throw InputError(name + ": the file ends after " + std::to_string(number) + " of the " +
                           std::to_string(element.count) + " " + element.name + " elements the header claims (line " +
                           std::to_string(element.header_line) + ")");
        }
        const std::string where = name + ": line " + std::to_string(line_number);
        const std::vector<std::string_view> words = split_words(*line);
        std::size_t w = 0;
        scalars.assign(element.properties.size(), 0.0);
        indices.clear();
        const auto number_at = [&](std::size_t at) {
          if (at >= words.size()) {
            throw InputError(where + ": " + element.name + " " + std::to_string(number) + " has too few values");
          }
          const std::optional<double> value = parse_number(words[at]);
          if (!value) {
            throw InputError(where + ": " + element.name + " " + std::to_string(number) + ": '" +
                             std::string(words[at].substr(0, 40)) + "' is not a number");
          }
          return *value;
        };
        for (std::size_t p = 0; p < element.properties.size(); ++p) {
          const Property& property = element.properties[p];
          if (!property.is_list) {
            scalars[p] = number_at(w++);
            continue;
          }
          const double count = number_at(w++);
          if (count < 0 || count != std::floor(count) || count > static_cast<double>(words.size() - w)) {
            throw InputError(where + ": " + element.name + " " + std::to_string(number) + ": list length '" +
                             format_number(count) + "' does not match the values on the line");
          }
          const auto n = static_cast<std::size_t>(count);
          for (std::size_t k = 0; k < n; ++k) {
            const double value = number_at(w++);
            if (&element == face_element && is_face_list(property)) indices.push_back(check_index(value, element, number, where));
          }
        }
        take_element(element, number, where);
      }
    }
  } else {
    BinaryCursor cursor(body, (header.encoding == Encoding::binary_big_endian) != (std::endian::native == std::endian::big));
    for (const Element& element : header.elements) {
      if (element.properties.empty()) continue;  // takes no bytes, whatever its count
      for (std::uint64_t number = 0; number < element.count; ++number) {
        const std::string where = name + ": " + element.name + " " + std::to_string(number);
        const auto ends_early = [&]() {
          return InputError(name + ": the file ends inside " + element.name + " " + std::to_string(number) + " of the " +
                            std::to_string(element.count) + " the header claims (line " +
                            std::to_string(element.header_line) + ")");
        };
        scalars.assign(element.properties.size(), 0.0);
        indices.clear();
        for (std::size_t p = 0; p < element.properties.size(); ++p) {
          const Property& property = element.properties[p];
          double value = 0.0;
          if (!property.is_list) {
            if (!cursor.read(property.type, value)) throw ends_early();
            scalars[p] = value;
            continue;
          }
          double count = 0.0;
          if (!cursor.read(property.count_type, count)) throw ends_early();
          if (count < 0 || static_cast<double>(cursor.remaining()) < count * static_cast<double>(size_of(property.type))) {
            throw InputError(where + ": list length " + format_number(count) + " runs past the end of the file");
          }
          const auto n = static_cast<std::size_t>(count);
          for (std::size_t k = 0; k < n; ++k) {
            if (!cursor.read(property.type, value)) throw ends_early();
            if (&element == face_element && is_face_list(property)) indices.push_back(check_index(value, element, number, name));
          }
        }
        take_element(element, number, where);
      }
    }
    trailing_bytes = cursor.remaining();
  }

  ParsedPly parsed;
  parsed.vertices = std::move(vertices);
  parsed.triangles = std::move(triangles);
  parsed.trailing_bytes = trailing_bytes;
  parsed.has_faces = face_element && face_element->count > 0;
  return parsed;
}

std::string trailing_warning(std::size_t trailing_bytes) {
  return std::to_string(trailing_bytes) + " bytes after the last element the header declares were ignored";
}

}  // namespace

Mesh read_ply_mesh(std::string_view bytes, const std::string& name, double micrometres_per_unit,
                   std::uint64_t max_points) {
  ParsedPly parsed = parse_ply(bytes, name, micrometres_per_unit, max_points);
  if (parsed.triangles.empty()) throw InputError(name + ": the PLY file has no triangles (a point cloud, not a mesh)");
  for (const Point3& p : parsed.vertices) {
    if (!std::isfinite(p.x) || !std::isfinite(p.y) || !std::isfinite(p.z)) {
      throw InputError(name + ": a vertex coordinate is not finite (" + format_number(p.x) + ", " + format_number(p.y) +
                       ", " + format_number(p.z) + " um)");
    }
  }
  Mesh mesh{std::move(parsed.vertices), std::move(parsed.triangles), {}, micrometres_per_unit};
  if (parsed.trailing_bytes > 0) mesh.warnings.push_back(trailing_warning(parsed.trailing_bytes));
  return mesh;
}

HeightMap read_ply_bytes(std::string_view bytes, const std::string& name, const ReadOptions& options,
                         const Sidecar* sidecar) {
  if (!looks_like_ply(bytes)) throw InputError(name + ": not a PLY file (first line is not 'ply')");
  UnitSources sources{name, "PLY", &options, sidecar, std::nullopt, std::nullopt, std::nullopt};
  const double factor = resolve_height_unit(sources);
  ParsedPly parsed = parse_ply(bytes, name, factor, options.max_points);
  std::vector<Point3>& vertices = parsed.vertices;
  const std::vector<Triangle>& triangles = parsed.triangles;
  ResampleSettings settings{name, options.spacing_um, options.max_points, bytes.size()};
  HeightMap map;
  if (triangles.empty()) {
    std::erase_if(vertices, [](const Point3& p) { return !std::isfinite(p.x) || !std::isfinite(p.y) || !std::isfinite(p.z); });
    if (vertices.empty()) throw InputError(name + ": PLY holds no vertex with finite coordinates");
    map = resample_point_cloud(vertices, settings);
  } else {
    map = resample_mesh(vertices, triangles, settings);
  }
  map.metadata.source_file = name;
  map.metadata.source_format = "ply";
  if (parsed.trailing_bytes > 0) map.metadata.warnings.push_back(trailing_warning(parsed.trailing_bytes));
  if (parsed.has_faces && triangles.empty()) {
    map.metadata.warnings.push_back("faces with fewer than 3 vertices ignored; read as a point cloud");
  }
  return map;
}

}  // namespace scarscope::formats
