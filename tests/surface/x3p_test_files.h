// Builds X3P files for the tests, well-formed or deliberately broken, in memory: every field of
// main.xml is a string, so a test can put anything there (a negative size, a wrong type, ...).
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace scarscope::test {

struct X3pFixture {
  // main.xml
  std::string prolog;              // between the XML declaration and the root (DOCTYPE, ...)
  bool byte_order_mark = false;    // UTF-8 BOM before <?xml
  std::string root = "p:ISO5436_2";
  std::string root_attributes = "xmlns:p=\"http://www.opengps.eu/2008/ISO5436_2\"";
  std::string element_prefix;      // put before every child element name ("p:" for fully prefixed files)
  std::string feature_type = "SUR";
  std::string cx_axis_type = "I";
  std::string cy_axis_type = "I";
  std::optional<std::string> dx_m = "1e-05";  // nullopt: no Increment element
  std::optional<std::string> dy_m = "2e-05";
  std::string z_data_type = "D";
  std::optional<std::string> z_increment = "1";  // nullopt: no element; "" : empty element
  std::optional<std::string> z_offset = "0";
  std::string size_x = "3";
  std::string size_y = "2";
  std::string size_z = "1";
  std::string date = "2021-03-04T05:06:07";
  std::string comment = "made by a test";
  std::string manufacturer = "Acme";
  std::string model = "Profilo 3";
  std::string serial = "42";
  // Point data: binary (data.bin) unless data_list is set (inline <Datum> values; "" = <Datum/>).
  std::optional<std::string> data;  // bytes of bindata/data.bin; nullopt: no entry
  bool link_data = true;            // write <DataLink><PointDataLink>
  std::optional<std::string> data_md5;   // nullopt: the right checksum
  std::optional<std::string> valid;      // bytes of bindata/valid.bin (and a ValidPointsLink)
  std::optional<std::vector<std::string>> data_list;
  // Archive
  std::string folder;                     // prefix of every entry ("scan/")
  bool checksum_file = true;
  std::optional<std::string> checksum_text;  // nullopt: the right MD5 of main.xml
  bool include_main_xml = true;
  std::vector<std::pair<std::string, std::string>> extra_entries;  // junk, as (name, bytes)

  std::string main_xml() const;
  std::string bytes() const;  // the zip
};

// Values as little-endian bytes of X3P type I, L, F or D.
std::string encode_values(const std::vector<double>& values, char type);

std::string md5_of(const std::string& bytes);

}  // namespace scarscope::test
