// X3P reader: tolerant of what real files do (namespace variants, a folder prefix, junk entries,
// stale checksums), strict about anything that could make it allocate or read beyond the data.
// X3P writer: strict ISO 5436-2 / ISO 25178-72 with correct checksums, reproducible bytes.
#include "surface/x3p.h"

#include <openssl/evp.h>

#include <opencv2/core.hpp>

#include <algorithm>
#include <bit>
#include <cctype>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <memory>
#include <optional>
#include <pugixml.hpp>
#include <stdexcept>
#include <vector>

#include "core/error.h"
#include "surface/formats/format_common.h"
#include "surface/zip_archive.h"

namespace scarscope {

namespace {

constexpr const char* kNamespace = "http://www.opengps.eu/2008/ISO5436_2";
constexpr const char* kSchemaLocation =
    "http://www.opengps.eu/2008/ISO5436_2 http://www.opengps.eu/2008/ISO5436_2/ISO5436_2.xsd";
constexpr const char* kFixedDate = "1970-01-01T00:00:00";
constexpr std::uint64_t kMaxXmlBytes = std::uint64_t{256} << 20;  // main.xml (inline data included)
constexpr std::uint64_t kMaxChecksumFileBytes = 4096;
constexpr std::uint64_t kMaxTrailingDataBytes = std::uint64_t{16} << 20;
// Deflate expands at most about 1032:1: a zip entry claiming more, from its compressed size, is
// forged, and is refused before the height map is allocated for it.
constexpr std::uint64_t kMaxDeflateRatio = 1032;
// Lateral increments outside 1 pm .. 1 km are not a measurement (and overflow sizes in mm).
constexpr double kMinIncrementMetres = 1e-12;
constexpr double kMaxIncrementMetres = 1e3;

// ---------------------------------------------------------------------------------------------
// Small text helpers

std::string trim(std::string_view text) {
  std::size_t begin = 0;
  std::size_t end = text.size();
  while (begin < end && std::isspace(static_cast<unsigned char>(text[begin]))) ++begin;
  while (end > begin && std::isspace(static_cast<unsigned char>(text[end - 1]))) --end;
  return std::string(text.substr(begin, end - begin));
}

std::string lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

// Quotes a value taken from the file for a message, shortened so a hostile file cannot flood it.
std::string shown_text(std::string_view text) {
  std::string out;
  for (char c : text.substr(0, 40)) out += (std::isprint(static_cast<unsigned char>(c)) ? c : '?');
  if (text.size() > 40) out += "...";
  return "'" + out + "'";
}

// Strict decimal number: the whole text must be the number ("1e-6", "+2", "0.0000e+000").
std::optional<double> parse_double(std::string_view text) {
  std::string value = trim(text);
  if (!value.empty() && value[0] == '+') value.erase(0, 1);
  if (value.empty()) return std::nullopt;
  const std::string low = lower(value);
  if (low == "nan" || low == "-nan") return std::numeric_limits<double>::quiet_NaN();
  if (low == "inf" || low == "infinity") return std::numeric_limits<double>::infinity();
  if (low == "-inf" || low == "-infinity") return -std::numeric_limits<double>::infinity();
  double result = 0.0;
  const char* first = value.data();
  const char* last = value.data() + value.size();
  const auto [end, error] = std::from_chars(first, last, result);
  if (error == std::errc::result_out_of_range) {
    // Overflow or underflow: keep the sign and the magnitude class, the caller judges it.
    const bool negative = value[0] == '-';
    const std::size_t e = low.find('e');
    const bool big = e != std::string::npos && low.find('-', e) == std::string::npos;
    result = big ? std::numeric_limits<double>::infinity() : 0.0;
    return negative ? -result : result;
  }
  if (error != std::errc() || end != last) return std::nullopt;
  return result;
}

// The exact decimal text times 10^shift, correctly rounded: moves the decimal exponent instead of
// multiplying, so "2.58e-06" metres gives the double nearest 2.58 micrometres.
std::optional<double> parse_scaled(std::string_view text, int shift) {
  std::string value = trim(text);
  if (value.empty()) return std::nullopt;
  const std::size_t e = lower(value).find('e');
  long long exponent = 0;
  std::string mantissa = value;
  if (e != std::string::npos) {
    mantissa = value.substr(0, e);
    std::string exp_text = value.substr(e + 1);
    if (!exp_text.empty() && exp_text[0] == '+') exp_text.erase(0, 1);
    const auto [end, error] = std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), exponent);
    if (error != std::errc() || end != exp_text.data() + exp_text.size() || exp_text.empty()) return std::nullopt;
    if (exponent > 100000 || exponent < -100000) return parse_double(value);
  }
  if (mantissa.empty()) return std::nullopt;
  for (char c : mantissa) {
    if (!(std::isdigit(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '+')) return parse_double(value);
  }
  return parse_double(mantissa + "e" + std::to_string(exponent + shift));
}

// Shortest text that reads back as exactly `value`, with the decimal exponent moved by `shift`.
std::string format_scaled(double value, int shift) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value, std::chars_format::scientific);
  std::string text(buffer, result.ptr);
  const std::size_t e = text.find('e');
  const int exponent = std::stoi(text.substr(e + 1));
  return text.substr(0, e) + "e" + std::to_string(exponent + shift);
}

std::string md5_hex(std::string_view bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_md5(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL: MD5 failed");
  }
  static const char* const hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

// MD5 over data that arrives in pieces.
class Md5Stream {
 public:
  Md5Stream() : context_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    if (!context_ || EVP_DigestInit_ex(context_.get(), EVP_md5(), nullptr) != 1) {
      throw std::runtime_error("OpenSSL: MD5 failed");
    }
  }
  void update(const char* data, std::size_t size) {
    if (EVP_DigestUpdate(context_.get(), data, size) != 1) throw std::runtime_error("OpenSSL: MD5 failed");
  }
  std::string hex() {
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(context_.get(), digest, &length) != 1) throw std::runtime_error("OpenSSL: MD5 failed");
    static const char* const digits = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < length; ++i) {
      out += digits[digest[i] >> 4];
      out += digits[digest[i] & 15];
    }
    return out;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, void (*)(EVP_MD_CTX*)> context_;
};

// ---------------------------------------------------------------------------------------------
// Little-endian numbers

std::uint64_t load_le(const unsigned char* bytes, int size) {
  std::uint64_t value = 0;
  for (int i = size - 1; i >= 0; --i) value = (value << 8) | bytes[i];
  return value;
}

void store_le(std::string& out, std::uint64_t value, int size) {
  for (int i = 0; i < size; ++i) {
    out += static_cast<char>(value & 0xff);
    value >>= 8;
  }
}

int type_size(char type) {
  switch (type) {
    case 'I': return 2;
    case 'L': return 4;
    case 'F': return 4;
    case 'D': return 8;
    default: return 0;
  }
}

const char* type_name(char type) {
  switch (type) {
    case 'I': return "I (int16)";
    case 'L': return "L (int32)";
    case 'F': return "F (float32)";
    case 'D': return "D (float64)";
    default: return "?";
  }
}

// ---------------------------------------------------------------------------------------------
// XML by local name: real files put the ISO5436_2 namespace on the root only, on every element,
// or nowhere, with any prefix.

std::string_view local_name(const char* name) {
  std::string_view view(name);
  const std::size_t colon = view.rfind(':');
  return colon == std::string_view::npos ? view : view.substr(colon + 1);
}

pugi::xml_node child(pugi::xml_node parent, std::string_view name) {
  for (pugi::xml_node node = parent.first_child(); node; node = node.next_sibling()) {
    if (node.type() == pugi::node_element && local_name(node.name()) == name) return node;
  }
  return {};
}

std::string text_of(pugi::xml_node node) { return node ? trim(node.text().get()) : std::string(); }

bool is_missing_text(const std::string& text) {
  const std::string low = lower(text);
  return text.empty() || low == "n/a" || low == "na" || low == "none" || low == "not available";
}

// ---------------------------------------------------------------------------------------------
// Reading

struct Reader {
  std::string label;
  X3pReadOptions options;
  std::vector<std::string> warnings;

  [[noreturn]] void fail(const std::string& what) const { throw InputError(label + ": " + what); }
  [[noreturn]] void unsupported(const std::string& what) const {
    throw UnsupportedError(label + ": " + what + " (recognised but not supported: ScarScope reads areal surfaces)");
  }
  void warn(const std::string& what) { warnings.push_back(what); }
};

bool is_junk_entry(const std::string& name) {
  if (name.rfind("__MACOSX/", 0) == 0 || name.find("/__MACOSX/") != std::string::npos) return true;
  const std::size_t slash = name.rfind('/');
  const std::string base = slash == std::string::npos ? name : name.substr(slash + 1);
  return base.rfind("._", 0) == 0 || base == ".DS_Store" || base == "Thumbs.db";
}

std::string base_name(const std::string& name) {
  const std::size_t slash = name.rfind('/');
  return slash == std::string::npos ? name : name.substr(slash + 1);
}

// main.xml at the top or under one folder (zipping a folder puts everything under its name).
int find_main_xml(const ZipReader& zip, Reader& reader, std::string& prefix) {
  int best = -1;
  long best_depth = 0;
  std::vector<std::string> ties;
  for (std::size_t i = 0; i < zip.entries().size(); ++i) {
    const ZipEntryInfo& entry = zip.entries()[i];
    if (entry.is_directory || is_junk_entry(entry.name) || lower(base_name(entry.name)) != "main.xml") continue;
    const long depth = static_cast<long>(std::count(entry.name.begin(), entry.name.end(), '/'));
    if (best < 0 || depth < best_depth) {
      best = static_cast<int>(i);
      best_depth = depth;
      ties.clear();
    } else if (depth == best_depth) {
      ties.push_back(entry.name);
    }
  }
  if (best < 0) {
    std::string listing;
    std::size_t shown = 0;
    for (const ZipEntryInfo& entry : zip.entries()) {
      if (shown++ == 8) {
        listing += ", ...";
        break;
      }
      listing += (listing.empty() ? "" : ", ") + shown_text(entry.name);
    }
    reader.fail("no main.xml in the zip archive, so this is not an X3P file (entries: " +
                (listing.empty() ? std::string("none") : listing) + ")");
  }
  const std::string& name = zip.entries()[static_cast<std::size_t>(best)].name;
  if (!ties.empty()) {
    reader.fail("the zip archive holds several main.xml (" + shown_text(name) + ", " + shown_text(ties.front()) +
                "); an X3P file holds one");
  }
  prefix = name.substr(0, name.size() - std::string("main.xml").size());
  if (!prefix.empty()) reader.warn("entries are under the folder " + shown_text(prefix) + " inside the zip");
  return best;
}

// An entry named in main.xml, relative to main.xml's folder.
int find_linked(const ZipReader& zip, const std::string& prefix, std::string link) {
  std::replace(link.begin(), link.end(), '\\', '/');
  while (link.rfind("./", 0) == 0) link.erase(0, 2);
  while (!link.empty() && link[0] == '/') link.erase(0, 1);
  if (link.empty()) return -1;
  int index = zip.find(prefix + link);
  if (index >= 0) return index;
  index = zip.find(link);
  if (index >= 0) return index;
  const std::string wanted = lower(prefix + link);
  for (std::size_t i = 0; i < zip.entries().size(); ++i) {
    if (lower(zip.entries()[i].name) == wanted) return static_cast<int>(i);
  }
  return -1;
}

void refuse_declarations(const std::string& xml, const pugi::xml_document& document, Reader& reader) {
  bool declared = xml.find("<!DOCTYPE") != std::string::npos || xml.find("<!ENTITY") != std::string::npos;
  for (pugi::xml_node node = document.first_child(); node; node = node.next_sibling()) {
    if (node.type() == pugi::node_doctype) declared = true;
  }
  if (declared) {
    reader.fail("main.xml: DOCTYPE and entity declarations are refused (an X3P main.xml needs neither; "
                "entity declarations are refused so that no entity can expand)");
  }
}

struct LateralAxis {
  double spacing_um = 0.0;
  bool has_increment = false;
};

LateralAxis read_lateral_axis(pugi::xml_node axes, const char* name, Reader& reader) {
  const pugi::xml_node axis = child(axes, name);
  LateralAxis result;
  if (!axis) {
    reader.warn(std::string("main.xml: Record1/Axes has no ") + name + " axis; taken as incremental");
    return result;
  }
  const std::string axis_type = text_of(child(axis, "AxisType"));
  if (axis_type == "A") {
    reader.unsupported(std::string("main.xml: the ") + name + " axis is absolute (irregular lateral positions)");
  }
  if (axis_type.empty()) {
    reader.warn(std::string("main.xml: ") + name + " has no AxisType; taken as incremental (I)");
  } else if (axis_type != "I") {
    reader.fail(std::string("main.xml: ") + name + " AxisType is " + shown_text(axis_type) +
                ", expected I (incremental) or A (absolute)");
  }
  const pugi::xml_node increment = child(axis, "Increment");
  const std::string text = text_of(increment);
  if (text.empty()) {
    reader.warn(std::string("main.xml: ") + name + " has no Increment");
    return result;
  }
  const std::optional<double> metres = parse_double(text);
  if (!metres || !std::isfinite(*metres) || *metres < kMinIncrementMetres || *metres > kMaxIncrementMetres) {
    reader.fail(std::string("main.xml: ") + name + " Increment is " + shown_text(text) +
                "; expected the point spacing in metres, between 1e-12 and 1000");
  }
  result.spacing_um = parse_scaled(text, 6).value_or(*metres * 1e6);
  result.has_increment = true;
  return result;
}

std::int64_t read_size(pugi::xml_node dimension, const char* name, bool required, Reader& reader) {
  const pugi::xml_node node = child(dimension, name);
  const std::string text = text_of(node);
  if (text.empty()) {
    if (required) reader.fail(std::string("main.xml: Record3/MatrixDimension has no ") + name);
    return 1;
  }
  std::string digits = text;
  if (digits[0] == '+') digits.erase(0, 1);
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc() || end != digits.data() + digits.size()) {
    reader.fail(std::string("main.xml: ") + name + " is " + shown_text(text) + ", expected a whole number of points");
  }
  if (value <= 0) {
    reader.fail(std::string("main.xml: ") + name + " is " + std::to_string(value) + "; sizes must be positive");
  }
  if (value > INT_MAX) {
    reader.fail(std::string("main.xml: ") + name + " is " + std::to_string(value) + ", more than " +
                std::to_string(INT_MAX) + " points along one axis");
  }
  return value;
}

struct ZAxis {
  char type = 0;
  double increment = 1.0;  // metres per integer step
  double offset = 0.0;     // metres
};

ZAxis read_z_axis(pugi::xml_node axes, Reader& reader) {
  const pugi::xml_node axis = child(axes, "CZ");
  if (!axis) reader.fail("main.xml: Record1/Axes has no CZ axis (the heights)");
  ZAxis z;
  const std::string type_text = text_of(child(axis, "DataType"));
  if (type_text.size() == 1) z.type = static_cast<char>(std::toupper(static_cast<unsigned char>(type_text[0])));
  if (type_size(z.type) == 0) {
    reader.fail("main.xml: CZ DataType is " + shown_text(type_text) +
                ", expected I (int16), L (int32), F (float32) or D (float64)");
  }
  const std::string axis_type = text_of(child(axis, "AxisType"));
  if (!axis_type.empty() && axis_type != "A") {
    reader.warn("main.xml: CZ AxisType is " + shown_text(axis_type) + "; heights are read as absolute (A)");
  }
  const bool integer = z.type == 'I' || z.type == 'L';
  const pugi::xml_node increment = child(axis, "Increment");
  const std::string increment_text = text_of(increment);
  if (increment_text.empty()) {
    if (integer) reader.warn("main.xml: CZ has no Increment; integer heights taken as metres (Increment 1)");
  } else {
    const std::optional<double> value = parse_double(increment_text);
    if (!value || !std::isfinite(*value) || *value == 0.0) {
      reader.fail("main.xml: CZ Increment is " + shown_text(increment_text) + ", expected a finite, non-zero number of metres");
    }
    if (integer) {
      z.increment = *value;
    } else if (*value != 1.0) {
      reader.warn("main.xml: CZ Increment " + increment_text + " not applied: it scales integer heights only and "
                  "the data type is " + type_name(z.type));
    }
  }
  const pugi::xml_node offset = child(axis, "Offset");
  const std::string offset_text = text_of(offset);
  if (!offset) {
    if (integer) reader.warn("main.xml: CZ has no Offset; taken as 0");
  } else if (offset_text.empty()) {
    reader.warn("main.xml: CZ Offset is empty; taken as 0");
  } else {
    const std::optional<double> value = parse_double(offset_text);
    if (!value || !std::isfinite(*value)) {
      reader.fail("main.xml: CZ Offset is " + shown_text(offset_text) + ", expected a finite number of metres");
    }
    z.offset = *value;
  }
  return z;
}

struct ChecksumState {
  bool ok = true;
  void mismatch(Reader& reader, const std::string& what) {
    ok = false;
    reader.warn(what);
  }
};

void check_md5(const std::string& actual_md5, const std::string& expected_text, const std::string& what,
               const char* element, ChecksumState& checksums, Reader& reader) {
  if (expected_text.empty()) {
    checksums.mismatch(reader, what + " is not verified: main.xml gives no " + element);
    return;
  }
  if (lower(expected_text) != actual_md5) {
    checksums.mismatch(reader, what + " does not match its " + element + " in main.xml (data read anyway)");
  }
}

void check_main_xml_checksum(const ZipReader& zip, const std::string& prefix, pugi::xml_node root,
                             const std::string& xml, ChecksumState& checksums, Reader& reader) {
  std::string link = text_of(child(child(root, "Record4"), "ChecksumFile"));
  if (link.empty()) link = "md5checksum.hex";
  const int index = find_linked(zip, prefix, link);
  if (index < 0) {
    checksums.mismatch(reader, "no " + link + " in the zip archive: main.xml is not verified");
    return;
  }
  const std::string content = zip.read(index, kMaxChecksumFileBytes);
  std::string expected;
  for (char c : content) {
    if (std::isxdigit(static_cast<unsigned char>(c))) {
      expected += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      if (expected.size() == 32) break;
    } else if (!expected.empty() || !std::isspace(static_cast<unsigned char>(c))) {
      break;
    }
  }
  if (expected.size() != 32) {
    checksums.mismatch(reader, link + " holds no MD5 checksum: main.xml is not verified");
    return;
  }
  if (expected != md5_hex(xml)) {
    checksums.mismatch(reader, link + " does not match main.xml (a stale checksum; data read anyway)");
  }
}

// Reads valid.bin (one bit per point, least significant bit first, 1 = valid) piece by piece and
// marks the points whose bit is 0 missing in `map`.
void apply_valid_bits(const ZipReader& zip, const std::string& prefix, pugi::xml_node data_link, HeightMap& map,
                      ChecksumState& checksums, Reader& reader) {
  const std::string link = text_of(child(data_link, "ValidPointsLink"));
  if (link.empty()) return;
  const int index = find_linked(zip, prefix, link);
  if (index < 0) {
    reader.fail("main.xml names " + shown_text(link) + " (ValidPointsLink), which is not in the zip archive");
  }
  const ZipEntryInfo& entry = zip.entries()[static_cast<std::size_t>(index)];
  const std::uint64_t points = map.size();
  const std::uint64_t needed = (points + 7) / 8;
  if (entry.size < needed) {
    reader.fail(entry.name + " holds " + std::to_string(entry.size) + " bytes, but the grid of " +
                std::to_string(points) + " points needs " + std::to_string(needed) + " (one bit per point)");
  }
  if (entry.size > needed + kMaxTrailingDataBytes) {
    reader.fail(entry.name + " claims " + std::to_string(entry.size) + " bytes, far more than the " +
                std::to_string(needed) + " the grid needs");
  }
  Md5Stream md5;
  float* heights = map.heights();
  std::uint8_t* mask = map.mask();
  std::uint64_t byte_index = 0;
  zip.stream(index, entry.size, reader.options.chunk_bytes, [&](const char* data, std::size_t size) {
    md5.update(data, size);
    for (std::size_t k = 0; k < size && byte_index < needed; ++k, ++byte_index) {
      const auto bits = static_cast<unsigned char>(data[k]);
      if (bits == 0xff) continue;
      const std::uint64_t first = byte_index * 8;
      const std::uint64_t last = std::min<std::uint64_t>(first + 8, points);
      // Scattered missing points make the bits random: selects, not branches.
      for (std::uint64_t i = first; i < last; ++i) {
        const bool keep = ((bits >> (i - first)) & 1u) != 0;
        mask[i] = keep ? mask[i] : std::uint8_t{0};
        heights[i] = keep ? heights[i] : std::numeric_limits<float>::quiet_NaN();
      }
    }
  });
  check_md5(md5.hex(), text_of(child(data_link, "MD5ChecksumValidPoints")), entry.name, "MD5ChecksumValidPoints",
            checksums, reader);
  if (entry.size > needed) reader.warn(entry.name + " has " + std::to_string(entry.size - needed) + " bytes more than the grid needs; ignored");
}

struct Converter {
  ZAxis z;
  std::size_t out_of_range = 0;
  // Metres (after scaling) to float micrometres; NaN for missing.
  float operator()(double raw) {
    if (!std::isfinite(raw)) return std::numeric_limits<float>::quiet_NaN();
    const bool integer = z.type == 'I' || z.type == 'L';
    const double metres = integer ? z.offset + z.increment * raw : z.offset + raw;
    const double micrometres = metres * 1e6;
    if (!std::isfinite(micrometres) || std::fabs(micrometres) > std::numeric_limits<float>::max()) {
      ++out_of_range;
      return std::numeric_limits<float>::quiet_NaN();
    }
    return static_cast<float>(micrometres);
  }
};

// One value as stored (little-endian) -> double; one function per type.
template <char Type>
double load_value(const unsigned char* bytes) {
  if constexpr (Type == 'I') {
    std::int16_t v;
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(&v, bytes, 2);
    } else {
      v = static_cast<std::int16_t>(load_le(bytes, 2));
    }
    return static_cast<double>(v);
  } else if constexpr (Type == 'L') {
    std::int32_t v;
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(&v, bytes, 4);
    } else {
      v = static_cast<std::int32_t>(load_le(bytes, 4));
    }
    return static_cast<double>(v);
  } else if constexpr (Type == 'F') {
    float v;
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(&v, bytes, 4);
    } else {
      v = std::bit_cast<float>(static_cast<std::uint32_t>(load_le(bytes, 4)));
    }
    return static_cast<double>(v);
  } else {
    double v;
    if constexpr (std::endian::native == std::endian::little) {
      std::memcpy(&v, bytes, 8);
    } else {
      v = std::bit_cast<double>(load_le(bytes, 8));
    }
    return v;
  }
}

// Converts `count` whole values into heights[0..count) and mask[0..count); exactly Converter's
// arithmetic (metres after scaling, times 1e6, to float; beyond the float range -> missing).
template <char Type>
std::size_t convert_values(const unsigned char* bytes, std::size_t count, const ZAxis& z, float* heights,
                           std::uint8_t* mask) {
  constexpr std::size_t size = Type == 'I' ? 2 : (Type == 'D' ? 8 : 4);
  constexpr bool integer = Type == 'I' || Type == 'L';
  constexpr float float_max = std::numeric_limits<float>::max();
  const double offset = z.offset;
  const double increment = z.increment;
  std::size_t out_of_range = 0;
  for (std::size_t i = 0; i < count; ++i) {
    const double raw = load_value<Type>(bytes + i * size);
    float value = std::numeric_limits<float>::quiet_NaN();
    if (integer || std::isfinite(raw)) {
      const double metres = integer ? offset + increment * raw : offset + raw;
      const double micrometres = metres * 1e6;
      if (!std::isfinite(micrometres) || std::fabs(micrometres) > float_max) {
        ++out_of_range;
      } else {
        value = static_cast<float>(micrometres);
      }
    }
    heights[i] = value;
    mask[i] = std::isfinite(value) ? 1 : 0;
  }
  return out_of_range;
}

// float64 heights without offset (how most files store them), the common case made fast: OpenCV's
// vectorised convertTo computes raw * 1e6 in double and rounds it to float, exactly what
// convert_values<'D'> does when the offset is 0 ((0 + raw) * 1e6: the same double, -0 included);
// then one integer pass over the float bits sets the mask. Values that may need the scalar rules
// (not finite, or at the float range's edge, where convert_values marks what rounds down to
// FLT_MAX out of range) are redone by convert_values.
std::size_t convert_doubles_without_offset(const unsigned char* bytes, std::size_t count, const ZAxis& z,
                                           float* heights, std::uint8_t* mask) {
  constexpr std::uint32_t kFloatMaxBits = 0x7f7fffffu;  // larger magnitudes: FLT_MAX, inf, NaN
  std::size_t out_of_range = 0;
  constexpr std::size_t kBlock = std::size_t{1} << 16;  // keeps the sizes within an int for cv::Mat
  for (std::size_t start = 0; start < count; start += kBlock) {
    const std::size_t n = std::min(kBlock, count - start);
    const cv::Mat raw(1, static_cast<int>(n), CV_64F, const_cast<unsigned char*>(bytes + start * 8));
    cv::Mat out(1, static_cast<int>(n), CV_32F, heights + start);
    raw.convertTo(out, CV_32F, 1e6, 0.0);
    unsigned special = 0;
    float* h = heights + start;
    std::uint8_t* m = mask + start;
    for (std::size_t i = 0; i < n; ++i) {
      const bool edge = (std::bit_cast<std::uint32_t>(h[i]) & 0x7fffffffu) >= kFloatMaxBits;
      m[i] = edge ? 0 : 1;
      special |= edge ? 1u : 0u;
    }
    if (special == 0) continue;
    for (std::size_t i = 0; i < n; ++i) {
      if (m[i] == 0) out_of_range += convert_values<'D'>(bytes + (start + i) * 8, 1, z, h + i, m + i);
    }
  }
  return out_of_range;
}

// Turns the pieces of data.bin into heights as they arrive; a value split between two pieces is
// carried over. Bytes past the grid are ignored (the caller warns about them).
class BinaryDecoder {
 public:
  BinaryDecoder(HeightMap& map, const ZAxis& z)
      : z_(z), size_(static_cast<std::size_t>(type_size(z.type))), heights_(map.heights()), mask_(map.mask()),
        total_(map.size()) {}

  void feed(const char* data, std::size_t size) {
    const auto* bytes = reinterpret_cast<const unsigned char*>(data);
    if (carried_ > 0 && done_ < total_) {
      const std::size_t take = std::min(size_ - carried_, size);
      std::memcpy(carry_ + carried_, bytes, take);
      carried_ += take;
      bytes += take;
      size -= take;
      if (carried_ < size_) return;
      convert(carry_, 1);
      carried_ = 0;
    }
    if (done_ >= total_) return;
    const std::size_t whole = std::min(size / size_, total_ - done_);
    convert(bytes, whole);
    bytes += whole * size_;
    size -= whole * size_;
    if (done_ < total_ && size > 0) {  // size < size_ here
      std::memcpy(carry_, bytes, size);
      carried_ = size;
    }
  }

  std::size_t converted() const { return done_; }
  std::size_t out_of_range() const { return out_of_range_; }

 private:
  void convert(const unsigned char* bytes, std::size_t count) {
    float* heights = heights_ + done_;
    std::uint8_t* mask = mask_ + done_;
    switch (z_.type) {
      case 'I': out_of_range_ += convert_values<'I'>(bytes, count, z_, heights, mask); break;
      case 'L': out_of_range_ += convert_values<'L'>(bytes, count, z_, heights, mask); break;
      case 'F': out_of_range_ += convert_values<'F'>(bytes, count, z_, heights, mask); break;
      default:
        if (std::endian::native == std::endian::little && z_.offset == 0.0) {
          out_of_range_ += convert_doubles_without_offset(bytes, count, z_, heights, mask);
        } else {
          out_of_range_ += convert_values<'D'>(bytes, count, z_, heights, mask);
        }
        break;
    }
    done_ += count;
  }

  ZAxis z_;
  std::size_t size_;
  float* heights_;
  std::uint8_t* mask_;
  std::size_t total_;
  std::size_t done_ = 0;
  std::size_t out_of_range_ = 0;
  unsigned char carry_[8] = {};
  std::size_t carried_ = 0;
};

void fill_from_data_list(HeightMap& map, pugi::xml_node data_list, Converter& convert, Reader& reader) {
  float* heights = map.heights();
  std::uint8_t* mask = map.mask();
  std::size_t i = 0;
  for (pugi::xml_node datum = data_list.first_child(); datum && i < map.size(); datum = datum.next_sibling()) {
    if (datum.type() != pugi::node_element || local_name(datum.name()) != "Datum") continue;
    std::string text = text_of(datum);
    // A Datum of an areal surface holds z; with absolute axes it would be "x;y;z" (refused earlier).
    const std::size_t semicolon = text.rfind(';');
    if (semicolon != std::string::npos) text = trim(text.substr(semicolon + 1));
    float value = std::numeric_limits<float>::quiet_NaN();
    if (!text.empty()) {
      const std::optional<double> raw = parse_double(text);
      if (!raw) {
        reader.fail("main.xml: DataList Datum " + std::to_string(i + 1) + " is " + shown_text(text) + ", not a number");
      }
      value = convert(*raw);
    }
    heights[i] = value;
    mask[i] = std::isfinite(value) ? 1 : 0;
    ++i;
  }
}

HeightMap read_archive(const ZipReader& zip, Reader& reader) {
  std::string prefix;
  const int main_index = find_main_xml(zip, reader, prefix);
  // The XML may carry inline data; bound it by what max_points could need, within a fixed cap.
  const std::uint64_t xml_limit =
      std::min<std::uint64_t>(kMaxXmlBytes, std::max<std::uint64_t>(reader.options.max_points, 1) * 64 + (1u << 20));
  const std::string xml = zip.read(main_index, xml_limit);
  if (xml.empty()) reader.fail("main.xml is empty");

  pugi::xml_document document;
  const pugi::xml_parse_result parsed =
      document.load_buffer(xml.data(), xml.size(), pugi::parse_default | pugi::parse_doctype, pugi::encoding_auto);
  refuse_declarations(xml, document, reader);
  if (!parsed) {
    reader.fail("main.xml is not well-formed XML (" + std::string(parsed.description()) + " at byte " +
                std::to_string(parsed.offset) + ")");
  }
  const pugi::xml_node root = document.document_element();
  const std::string_view root_name = root ? local_name(root.name()) : std::string_view();
  if (root_name != "ISO5436_2" && root_name != "ISO5436") {
    reader.fail("main.xml: the root element is " + shown_text(root_name) + ", expected ISO5436_2");
  }
  if (root_name == "ISO5436") reader.warn("main.xml: root element ISO5436 (expected ISO5436_2); read as ISO5436_2");

  const pugi::xml_node record1 = child(root, "Record1");
  if (!record1) reader.fail("main.xml has no Record1 (axes and feature type)");
  const std::string feature = text_of(child(record1, "FeatureType"));
  if (feature == "PRF") reader.unsupported("main.xml: FeatureType PRF is a profile");
  if (feature == "PCL") reader.unsupported("main.xml: FeatureType PCL is a point cloud");
  if (feature.empty()) {
    reader.warn("main.xml: Record1 has no FeatureType; read as an areal surface (SUR)");
  } else if (feature != "SUR") {
    reader.fail("main.xml: FeatureType is " + shown_text(feature) + ", expected SUR (an areal surface)");
  }
  const pugi::xml_node axes = child(record1, "Axes");
  if (!axes) reader.fail("main.xml: Record1 has no Axes");
  LateralAxis x = read_lateral_axis(axes, "CX", reader);
  LateralAxis y = read_lateral_axis(axes, "CY", reader);
  const ZAxis z = read_z_axis(axes, reader);
  if (!x.has_increment || !y.has_increment) {
    // A grid needs a spacing: borrow the other axis's, else say plainly that it is a guess.
    const double guess = x.has_increment ? x.spacing_um : (y.has_increment ? y.spacing_um : 1.0);
    if (!x.has_increment) x.spacing_um = guess;
    if (!y.has_increment) y.spacing_um = guess;
    reader.warn("main.xml: lateral spacing missing; taken as " + formats::format_number(guess) +
                " um (the spacing of the scan is unknown)");
  }

  const pugi::xml_node record3 = child(root, "Record3");
  if (!record3) reader.fail("main.xml has no Record3 (grid size and data)");
  const pugi::xml_node dimension = child(record3, "MatrixDimension");
  if (!dimension) reader.fail("main.xml: Record3 has no MatrixDimension (SizeX, SizeY)");
  const std::int64_t nx = read_size(dimension, "SizeX", true, reader);
  const std::int64_t ny = read_size(dimension, "SizeY", true, reader);
  const std::int64_t nz = read_size(dimension, "SizeZ", false, reader);
  if (nz != 1) reader.unsupported("main.xml: SizeZ is " + std::to_string(nz) + " (several layers)");
  const std::uint64_t points = static_cast<std::uint64_t>(nx) * static_cast<std::uint64_t>(ny);
  if (points > reader.options.max_points) {
    reader.fail("main.xml: the grid is " + std::to_string(nx) + " x " + std::to_string(ny) + " = " +
                std::to_string(points) + " points, more than the " + std::to_string(reader.options.max_points) +
                " accepted (raise the limit with --max-points if the file is genuine)");
  }

  ChecksumState checksums;
  check_main_xml_checksum(zip, prefix, root, xml, checksums, reader);

  const pugi::xml_node data_link = child(record3, "DataLink");
  const pugi::xml_node data_list = child(record3, "DataList");
  const std::string point_link = text_of(child(data_link, "PointDataLink"));
  Converter convert{z};
  std::optional<HeightMap> map;
  if (!point_link.empty()) {
    const int index = find_linked(zip, prefix, point_link);
    if (index < 0) {
      reader.fail("main.xml names " + shown_text(point_link) + " (PointDataLink), which is not in the zip archive");
    }
    const ZipEntryInfo& entry = zip.entries()[static_cast<std::size_t>(index)];
    const std::uint64_t needed = points * static_cast<std::uint64_t>(type_size(z.type));
    if (entry.size < needed) {
      reader.fail(entry.name + " holds " + std::to_string(entry.size) + " bytes = " +
                  std::to_string(entry.size / static_cast<std::uint64_t>(type_size(z.type))) + " values of type " +
                  type_name(z.type) + ", but the grid " + std::to_string(nx) + " x " + std::to_string(ny) +
                  " needs " + std::to_string(points) + " (" + std::to_string(needed) + " bytes)");
    }
    if (entry.size > needed + kMaxTrailingDataBytes) {
      reader.fail(entry.name + " claims " + std::to_string(entry.size) + " bytes, far more than the " +
                  std::to_string(needed) + " the grid " + std::to_string(nx) + " x " + std::to_string(ny) +
                  " of type " + type_name(z.type) + " needs");
    }
    if (entry.deflated && entry.size / kMaxDeflateRatio > entry.compressed_size + 64) {
      reader.fail(entry.name + " claims " + std::to_string(entry.size) + " bytes uncompressed from " +
                  std::to_string(entry.compressed_size) + " compressed, more than deflate can expand (about 1032:1): "
                  "a forged or corrupt zip header");
    }
    // Not zero-filled first: the decoder writes every height and mask byte, or the read fails.
    map.emplace(HeightMap::for_overwrite(static_cast<int>(nx), static_cast<int>(ny), x.spacing_um, y.spacing_um));
    BinaryDecoder decoder(*map, z);
    Md5Stream md5;
    zip.stream(index, entry.size, reader.options.chunk_bytes, [&](const char* data, std::size_t size) {
      md5.update(data, size);
      decoder.feed(data, size);
    });
    if (decoder.converted() != map->size()) reader.fail(entry.name + " holds fewer values than the grid needs");
    convert.out_of_range += decoder.out_of_range();
    check_md5(md5.hex(), text_of(child(data_link, "MD5ChecksumPointData")), entry.name, "MD5ChecksumPointData",
              checksums, reader);
    if (entry.size > needed) {
      reader.warn(entry.name + " has " + std::to_string(entry.size - needed) + " bytes more than the grid needs; ignored");
    }
    apply_valid_bits(zip, prefix, data_link, *map, checksums, reader);
  } else if (data_list) {
    std::uint64_t count = 0;
    for (pugi::xml_node datum = data_list.first_child(); datum; datum = datum.next_sibling()) {
      if (datum.type() == pugi::node_element && local_name(datum.name()) == "Datum") ++count;
    }
    if (count < points) {
      reader.fail("main.xml: DataList holds " + std::to_string(count) + " Datum elements, but the grid " +
                  std::to_string(nx) + " x " + std::to_string(ny) + " needs " + std::to_string(points));
    }
    if (count > points) {
      reader.warn("main.xml: DataList holds " + std::to_string(count - points) + " Datum elements more than the grid needs; ignored");
    }
    map.emplace(static_cast<int>(nx), static_cast<int>(ny), x.spacing_um, y.spacing_um);
    fill_from_data_list(*map, data_list, convert, reader);
  } else {
    reader.fail("main.xml: Record3 has neither DataLink/PointDataLink (bindata/data.bin) nor an inline DataList: "
                "there are no heights");
  }
  if (convert.out_of_range > 0) {
    reader.warn(std::to_string(convert.out_of_range) + " heights beyond the float range marked missing");
  }

  HeightMapMetadata& metadata = map->metadata;
  metadata.source_format = "x3p";
  metadata.source_file = reader.label;
  metadata.checksum_ok = checksums.ok;
  const pugi::xml_node record2 = child(root, "Record2");
  if (record2) {
    const std::string date = text_of(child(record2, "Date"));
    if (!is_missing_text(date)) metadata.date = date;
    const std::string comment = text_of(child(record2, "Comment"));
    if (!is_missing_text(comment)) metadata.comment = comment;
    const pugi::xml_node instrument = child(record2, "Instrument");
    std::string description;
    for (const char* part : {"Manufacturer", "Model"}) {
      const std::string value = text_of(child(instrument, part));
      if (!is_missing_text(value)) description += (description.empty() ? "" : " ") + value;
    }
    const std::string serial = text_of(child(instrument, "Serial"));
    if (!is_missing_text(serial)) description += (description.empty() ? "serial " : " (serial ") + serial +
                                                 (description.empty() ? "" : ")");
    metadata.instrument = description;
  }
  metadata.warnings = std::move(reader.warnings);
  return std::move(*map);
}

// ---------------------------------------------------------------------------------------------
// Writing

struct StringWriter : pugi::xml_writer {
  std::string text;
  void write(const void* data, size_t size) override { text.append(static_cast<const char*>(data), size); }
};

void add_text(pugi::xml_node parent, const char* name, const std::string& value) {
  parent.append_child(name).text().set(value.c_str());
}

void add_axis(pugi::xml_node axes, const char* name, const char* axis_type, char data_type,
              const std::string& increment) {
  pugi::xml_node axis = axes.append_child(name);
  add_text(axis, "AxisType", axis_type);
  add_text(axis, "DataType", std::string(1, data_type));
  add_text(axis, "Increment", increment);
  add_text(axis, "Offset", "0");
}

std::string text_or_na(const std::string& value) { return value.empty() ? "N/A" : value; }

}  // namespace

bool looks_like_zip(std::string_view first_bytes) {
  return first_bytes.size() >= 4 && first_bytes[0] == 'P' && first_bytes[1] == 'K' &&
         ((first_bytes[2] == 3 && first_bytes[3] == 4) || (first_bytes[2] == 5 && first_bytes[3] == 6));
}

HeightMap read_x3p_bytes(std::string_view bytes, const std::string& name, const X3pReadOptions& options) {
  Reader reader{name, options, {}};
  const ZipReader zip = ZipReader::view_bytes(bytes, name);  // read in place: `bytes` outlives it
  return read_archive(zip, reader);
}

HeightMap read_x3p(const std::filesystem::path& path, const X3pReadOptions& options) {
  const std::string label = path.string();
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) throw InputError(label + ": no such file");
  if (std::filesystem::is_directory(path, ec)) throw InputError(label + ": is a folder, not an X3P file");
  Reader reader{label, options, {}};
  const ZipReader zip = ZipReader::from_file(path, label);
  return read_archive(zip, reader);
}

std::string write_x3p_bytes(const HeightMap& map, const X3pWriteOptions& options) {
  if (map.empty()) throw InputError("cannot write an empty height map as X3P");
  const char type = static_cast<char>(std::toupper(static_cast<unsigned char>(options.data_type)));
  if (type != 'F' && type != 'D') {
    throw InputError(std::string("X3P data type '") + options.data_type + "' cannot be written; use F (float32) or D (float64)");
  }

  // Heights: metres, little-endian; missing points are NaN in data.bin and 0 in valid.bin.
  std::string data;
  data.reserve(map.size() * static_cast<std::size_t>(type_size(type)));
  std::string valid((map.size() + 7) / 8, '\0');
  bool any_missing = false;
  const float* heights = map.heights();
  const std::uint8_t* mask = map.mask();
  for (std::size_t i = 0; i < map.size(); ++i) {
    const bool ok = mask[i] != 0 && std::isfinite(heights[i]);
    const double metres = ok ? static_cast<double>(heights[i]) / 1e6 : std::numeric_limits<double>::quiet_NaN();
    if (ok) {
      valid[i / 8] = static_cast<char>(static_cast<unsigned char>(valid[i / 8]) | (1u << (i % 8)));
    } else {
      any_missing = true;
    }
    if (type == 'F') {
      store_le(data, std::bit_cast<std::uint32_t>(static_cast<float>(metres)), 4);
    } else {
      store_le(data, std::bit_cast<std::uint64_t>(metres), 8);
    }
  }

  const std::string date = !options.date.empty() ? options.date : (!map.metadata.date.empty() ? map.metadata.date : kFixedDate);
  pugi::xml_document document;
  pugi::xml_node declaration = document.append_child(pugi::node_declaration);
  declaration.append_attribute("version") = "1.0";
  declaration.append_attribute("encoding") = "UTF-8";
  pugi::xml_node root = document.append_child("p:ISO5436_2");
  root.append_attribute("xmlns:p") = kNamespace;
  root.append_attribute("xmlns:xsi") = "http://www.w3.org/2001/XMLSchema-instance";
  root.append_attribute("xsi:schemaLocation") = kSchemaLocation;

  pugi::xml_node record1 = root.append_child("Record1");
  add_text(record1, "Revision", "ISO5436 - 2000");
  add_text(record1, "FeatureType", "SUR");
  pugi::xml_node axes = record1.append_child("Axes");
  add_axis(axes, "CX", "I", 'D', format_scaled(map.dx_um(), -6));
  add_axis(axes, "CY", "I", 'D', format_scaled(map.dy_um(), -6));
  add_axis(axes, "CZ", "A", type, "1");

  pugi::xml_node record2 = root.append_child("Record2");
  add_text(record2, "Date", date);
  add_text(record2, "Creator", "ScarScope");
  pugi::xml_node instrument = record2.append_child("Instrument");
  add_text(instrument, "Manufacturer", text_or_na(map.metadata.instrument));
  add_text(instrument, "Model", "N/A");
  add_text(instrument, "Serial", "N/A");
  add_text(instrument, "Version", "N/A");
  add_text(record2, "CalibrationDate", date);
  pugi::xml_node probing = record2.append_child("ProbingSystem");
  add_text(probing, "Type", "Software");
  add_text(probing, "Identification", "ScarScope");
  if (!map.metadata.comment.empty()) add_text(record2, "Comment", map.metadata.comment);

  pugi::xml_node record3 = root.append_child("Record3");
  pugi::xml_node dimension = record3.append_child("MatrixDimension");
  add_text(dimension, "SizeX", std::to_string(map.nx()));
  add_text(dimension, "SizeY", std::to_string(map.ny()));
  add_text(dimension, "SizeZ", "1");
  pugi::xml_node link = record3.append_child("DataLink");
  add_text(link, "PointDataLink", "bindata/data.bin");
  add_text(link, "MD5ChecksumPointData", md5_hex(data));
  if (any_missing) {
    add_text(link, "ValidPointsLink", "bindata/valid.bin");
    add_text(link, "MD5ChecksumValidPoints", md5_hex(valid));
  }
  pugi::xml_node record4 = root.append_child("Record4");
  add_text(record4, "ChecksumFile", "md5checksum.hex");

  StringWriter xml;
  document.save(xml, "  ", pugi::format_indent, pugi::encoding_utf8);

  ZipWriter zip;
  zip.add("main.xml", xml.text);
  zip.add("bindata/data.bin", std::move(data));
  if (any_missing) zip.add("bindata/valid.bin", std::move(valid));
  zip.add("md5checksum.hex", md5_hex(xml.text) + " *main.xml\n", ZipWriter::Compression::store);
  return zip.finish();
}

void write_x3p(const HeightMap& map, const std::filesystem::path& path, const X3pWriteOptions& options) {
  std::string bytes;
  try {
    bytes = write_x3p_bytes(map, options);
  } catch (const InputError& error) {
    throw InputError(path.string() + ": " + error.what());
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) throw InputError(path.string() + ": cannot open for writing");
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) throw InputError(path.string() + ": write failed (disk full?)");
}

}  // namespace scarscope
