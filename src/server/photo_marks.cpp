#include "server/photo_marks.h"

#include <cmath>
#include <cstdint>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace scarscope::server {

namespace {

using Json = nlohmann::json;

// Largest side accepted (the store's limit too): a 100-megapixel camera is about 12,000 pixels.
constexpr int max_side = 30000;

std::uint32_t big_endian(std::string_view bytes, std::size_t at, int count) {
  std::uint32_t value = 0;
  for (int i = 0; i < count; ++i) value = (value << 8) | static_cast<unsigned char>(bytes[at + static_cast<std::size_t>(i)]);
  return value;
}

[[noreturn]] void not_a_photo(const std::string& name, const std::string& why) {
  throw InputError(name + ": " + why + "; a photograph must be a JPEG or PNG picture", ErrorCode::bad_format, "file");
}

PhotoHeader checked(PhotoHeader header, const std::string& name) {
  if (header.width < 1 || header.height < 1 || header.width > max_side || header.height > max_side)
    not_a_photo(name, "its size (" + std::to_string(header.width) + " x " + std::to_string(header.height) +
                          " pixels) is not that of a photograph (1-" + std::to_string(max_side) + " a side)");
  return header;
}

PhotoHeader png_header(std::string_view head, const std::string& name) {
  // Signature, then the IHDR chunk: length (13), "IHDR", width, height.
  if (head.size() < 24 || head.substr(12, 4) != "IHDR") not_a_photo(name, "the PNG has no image header");
  return checked({"image/png", static_cast<int>(std::min<std::uint32_t>(big_endian(head, 16, 4), 1u << 30)),
                  static_cast<int>(std::min<std::uint32_t>(big_endian(head, 20, 4), 1u << 30))},
                 name);
}

PhotoHeader jpeg_header(std::string_view head, const std::string& name) {
  // Segments after SOI (FF D8) until a start-of-frame (SOF0-SOF15 but DHT C4, JPG C8, DAC CC).
  std::size_t at = 2;
  while (at + 4 <= head.size()) {
    if (static_cast<unsigned char>(head[at]) != 0xFF) not_a_photo(name, "the JPEG's segments are damaged");
    const unsigned char marker = static_cast<unsigned char>(head[at + 1]);
    if (marker == 0xFF) {  // fill byte
      ++at;
      continue;
    }
    if (marker == 0xD8 || marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) {  // no length
      at += 2;
      continue;
    }
    if (marker == 0xD9 || marker == 0xDA) not_a_photo(name, "the JPEG has no frame header before its image data");
    const std::size_t length = big_endian(head, at + 2, 2);
    if (length < 2) not_a_photo(name, "the JPEG's segments are damaged");
    const bool frame = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
    if (frame) {
      if (at + 9 > head.size()) break;
      return checked({"image/jpeg", static_cast<int>(big_endian(head, at + 7, 2)),
                      static_cast<int>(big_endian(head, at + 5, 2))},
                     name);
    }
    at += 2 + length;
  }
  not_a_photo(name, "no JPEG frame header in its first " + std::to_string(photo_header_bytes >> 10) + " KiB");
}

double number_of(const Json& object, const char* key, const std::string& where) {
  if (!object.contains(key) || !object[key].is_number())
    throw InputError(where + "." + key + ": must be a number", ErrorCode::wrong_type, where + "." + key);
  const double value = object[key].get<double>();
  if (!std::isfinite(value)) throw InputError(where + "." + key + ": must be finite", ErrorCode::out_of_range, where + "." + key);
  return value;
}

void check_on_photo(double x, double y, int width, int height, const std::string& where) {
  if (x < 0 || y < 0 || x > width || y > height)
    throw InputError(where + ": the point (" + std::to_string(static_cast<long long>(x)) + ", " +
                         std::to_string(static_cast<long long>(y)) + ") is off the " + std::to_string(width) + " x " +
                         std::to_string(height) + " photograph",
                     ErrorCode::out_of_range, where);
}

}  // namespace

PhotoHeader read_photo_header(std::string_view head, const std::string& name) {
  static constexpr std::string_view png_signature = "\x89PNG\r\n\x1a\n";
  if (head.substr(0, png_signature.size()) == png_signature) return png_header(head, name);
  if (head.size() >= 3 && static_cast<unsigned char>(head[0]) == 0xFF && static_cast<unsigned char>(head[1]) == 0xD8 &&
      static_cast<unsigned char>(head[2]) == 0xFF)
    return jpeg_header(head, name);
  not_a_photo(name, "it is neither JPEG nor PNG");
}

double PhotoRuler::mm_per_pixel() const { return mm / std::hypot(x2 - x1, y2 - y1); }

PhotoMarks photo_marks_from_json(const nlohmann::json& body, int width, int height) {
  if (!body.is_object() || !body.contains("marks") || !body["marks"].is_array())
    throw InputError("marks: must be a list of marks", ErrorCode::missing_field, "marks");
  const Json& list = body["marks"];
  if (list.size() > static_cast<std::size_t>(max_photo_marks))
    throw InputError("marks: at most " + std::to_string(max_photo_marks) + " marks on one photograph",
                     ErrorCode::too_large, "marks");
  PhotoMarks result;
  for (std::size_t i = 0; i < list.size(); ++i) {
    const std::string where = "marks[" + std::to_string(i) + "]";
    const Json& item = list[i];
    if (!item.is_object()) throw InputError(where + ": must be an object", ErrorCode::wrong_type, where);
    PhotoMark mark;
    mark.x = number_of(item, "x", where);
    mark.y = number_of(item, "y", where);
    check_on_photo(mark.x, mark.y, width, height, where);
    if (!item.contains("type") || !item["type"].is_string())
      throw InputError(where + ".type: must be a scar type", ErrorCode::missing_field, where + ".type");
    mark.type = parse_scar_type(item["type"].get<std::string>());
    if (item.contains("diameter_mm") && !item["diameter_mm"].is_null()) {
      mark.diameter_mm = number_of(item, "diameter_mm", where);
      if (!(*mark.diameter_mm > 0 && *mark.diameter_mm <= 100))
        throw InputError(where + ".diameter_mm: must be more than 0 and at most 100 mm", ErrorCode::out_of_range,
                         where + ".diameter_mm");
    }
    if (item.contains("depth_class") && !item["depth_class"].is_null()) {
      const std::string depth = item["depth_class"].is_string() ? item["depth_class"].get<std::string>() : "";
      if (depth != "shallow" && depth != "deep")
        throw InputError(where + ".depth_class: shallow or deep", ErrorCode::out_of_range, where + ".depth_class");
      mark.depth_class = depth;
    }
    if (item.contains("stretch_flattens") && !item["stretch_flattens"].is_null()) {
      if (!item["stretch_flattens"].is_boolean())
        throw InputError(where + ".stretch_flattens: true, false or null", ErrorCode::wrong_type, where + ".stretch_flattens");
      mark.stretch_flattens = item["stretch_flattens"].get<bool>();
    }
    result.marks.push_back(mark);
  }
  if (body.contains("ruler") && !body["ruler"].is_null()) {
    const Json& ruler = body["ruler"];
    if (!ruler.is_object()) throw InputError("ruler: must be an object or null", ErrorCode::wrong_type, "ruler");
    PhotoRuler r{number_of(ruler, "x1", "ruler"), number_of(ruler, "y1", "ruler"), number_of(ruler, "x2", "ruler"),
                 number_of(ruler, "y2", "ruler"), number_of(ruler, "mm", "ruler")};
    check_on_photo(r.x1, r.y1, width, height, "ruler");
    check_on_photo(r.x2, r.y2, width, height, "ruler");
    if (std::hypot(r.x2 - r.x1, r.y2 - r.y1) < 2.0)
      throw InputError("ruler: its two ends must be at least 2 pixels apart", ErrorCode::out_of_range, "ruler");
    if (!(r.mm > 0 && r.mm <= 1000))
      throw InputError("ruler.mm: must be more than 0 and at most 1000 mm", ErrorCode::out_of_range, "ruler.mm");
    result.ruler = r;
  }
  return result;
}

ScarInventory marks_inventory(const PhotoMarks& marks, const std::string& photo_name) {
  // Built as the JSON a clinician would write by hand, and read by the library's own reader.
  Json scars = Json::array();
  for (std::size_t i = 0; i < marks.marks.size(); ++i) {
    const PhotoMark& mark = marks.marks[i];
    Json scar = {{"id", static_cast<int>(i) + 1}, {"type", scar_type_name(mark.type)}};
    if (mark.diameter_mm) scar["diameter_mm"] = *mark.diameter_mm;
    if (marks.ruler) {
      const double scale = marks.ruler->mm_per_pixel();
      scar["centroid_mm"] = {mark.x * scale, mark.y * scale};
    }
    scars.push_back(std::move(scar));
  }
  return inventory_from_json({{"hand_count", true}, {"scars", scars}}, photo_name);
}

std::optional<ClinicianInputs> marks_clinician_inputs(const PhotoMarks& marks) {
  ClinicianInputs inputs;
  for (std::size_t i = 0; i < marks.marks.size(); ++i) {
    if (!marks.marks[i].stretch_flattens) continue;
    inputs.scars[static_cast<int>(i) + 1].stretch_flattens = marks.marks[i].stretch_flattens;
  }
  if (inputs.empty()) return std::nullopt;
  return inputs;
}

}  // namespace scarscope::server
