#include "x3p_test_files.h"

#include <openssl/evp.h>

#include <bit>
#include <cstdint>
#include <stdexcept>

#include "surface/zip_archive.h"

namespace scarscope::test {

namespace {

std::string element(const std::string& prefix, const std::string& name, const std::string& value) {
  if (value.empty()) return "<" + prefix + name + "/>";
  return "<" + prefix + name + ">" + value + "</" + prefix + name + ">";
}

std::string optional_element(const std::string& prefix, const std::string& name, const std::optional<std::string>& value) {
  return value ? element(prefix, name, *value) : std::string();
}

void store_le(std::string& out, std::uint64_t value, int size) {
  for (int i = 0; i < size; ++i) {
    out += static_cast<char>(value & 0xff);
    value >>= 8;
  }
}

}  // namespace

std::string md5_of(const std::string& bytes) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(bytes.data(), bytes.size(), digest, &length, EVP_md5(), nullptr) != 1) {
    throw std::runtime_error("MD5 failed");
  }
  static const char* const hex = "0123456789abcdef";
  std::string out;
  for (unsigned int i = 0; i < length; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 15];
  }
  return out;
}

std::string encode_values(const std::vector<double>& values, char type) {
  std::string out;
  for (double value : values) {
    switch (type) {
      case 'I': store_le(out, static_cast<std::uint16_t>(static_cast<std::int16_t>(value)), 2); break;
      case 'L': store_le(out, static_cast<std::uint32_t>(static_cast<std::int32_t>(value)), 4); break;
      case 'F': store_le(out, std::bit_cast<std::uint32_t>(static_cast<float>(value)), 4); break;
      default: store_le(out, std::bit_cast<std::uint64_t>(value), 8); break;
    }
  }
  return out;
}

std::string X3pFixture::main_xml() const {
  const std::string& p = element_prefix;
  auto axis = [&](const std::string& name, const std::string& axis_type, const std::string& data_type,
                  const std::optional<std::string>& increment, const std::optional<std::string>& offset) {
    return "<" + p + name + ">" + element(p, "AxisType", axis_type) + element(p, "DataType", data_type) +
           optional_element(p, "Increment", increment) + optional_element(p, "Offset", offset) + "</" + p + name + ">";
  };
  std::string xml = byte_order_mark ? "\xEF\xBB\xBF" : "";
  xml += "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + prolog + "\n";
  xml += "<" + root + (root_attributes.empty() ? "" : " " + root_attributes) + ">\n";
  xml += "<" + p + "Record1>" + element(p, "Revision", "ISO5436 - 2000") + element(p, "FeatureType", feature_type);
  xml += "<" + p + "Axes>" + axis("CX", cx_axis_type, "D", dx_m, std::string("0")) +
         axis("CY", cy_axis_type, "D", dy_m, std::string("0")) + axis("CZ", "A", z_data_type, z_increment, z_offset) +
         "</" + p + "Axes></" + p + "Record1>\n";
  xml += "<" + p + "Record2>" + element(p, "Date", date) + "<" + p + "Instrument>" +
         element(p, "Manufacturer", manufacturer) + element(p, "Model", model) + element(p, "Serial", serial) +
         element(p, "Version", "1") + "</" + p + "Instrument>" + element(p, "Comment", comment) + "</" + p +
         "Record2>\n";
  xml += "<" + p + "Record3><" + p + "MatrixDimension>" + element(p, "SizeX", size_x) + element(p, "SizeY", size_y) +
         element(p, "SizeZ", size_z) + "</" + p + "MatrixDimension>";
  if (data_list) {
    xml += "<" + p + "DataList>";
    for (const std::string& datum : *data_list) xml += element(p, "Datum", datum);
    xml += "</" + p + "DataList>";
  } else if (link_data) {
    xml += "<" + p + "DataLink>" + element(p, "PointDataLink", "bindata/data.bin") +
           element(p, "MD5ChecksumPointData", data_md5 ? *data_md5 : md5_of(data.value_or("")));
    if (valid) {
      xml += element(p, "ValidPointsLink", "bindata/valid.bin") + element(p, "MD5ChecksumValidPoints", md5_of(*valid));
    }
    xml += "</" + p + "DataLink>";
  }
  xml += "</" + p + "Record3>\n";
  xml += "<" + p + "Record4>" + element(p, "ChecksumFile", "md5checksum.hex") + "</" + p + "Record4>\n";
  xml += "</" + root + ">\n";
  return xml;
}

std::string X3pFixture::bytes() const {
  ZipWriter zip;
  const std::string xml = main_xml();
  if (include_main_xml) zip.add(folder + "main.xml", xml);
  if (data) zip.add(folder + "bindata/data.bin", *data);
  if (valid) zip.add(folder + "bindata/valid.bin", *valid);
  if (checksum_file) zip.add(folder + "md5checksum.hex", checksum_text ? *checksum_text : md5_of(xml) + " *main.xml\n");
  for (const auto& [name, content] : extra_entries) zip.add(name, content);
  return zip.finish();
}

}  // namespace scarscope::test
