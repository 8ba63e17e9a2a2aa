#include "surface/formats/csv_format.h"

#include <cmath>
#include <limits>

#include "core/error.h"
#include "surface/formats/format_common.h"

namespace scarscope::formats {

namespace {

char pick_separator(std::string_view line) {
  if (line.find(';') != std::string_view::npos) return ';';
  if (line.find(',') != std::string_view::npos) return ',';
  if (line.find('\t') != std::string_view::npos) return '\t';
  return ' ';
}

std::string quoted(std::string_view text) {
  std::string shown(text.substr(0, 40));
  if (text.size() > 40) shown += "...";
  return "'" + shown + "'";
}

}  // namespace

HeightMap read_csv_text(std::string_view text, const std::string& name, const ReadOptions& options,
                        const Sidecar* sidecar) {
  UnitSources sources{name, "CSV", &options, sidecar, std::nullopt, std::nullopt, std::nullopt};
  const double z_factor = resolve_height_unit(sources);
  const Spacing spacing = resolve_grid_spacing(sources);
  const double z_scale = sidecar && sidecar->z_scale ? *sidecar->z_scale : 1.0;
  const double z_offset = sidecar && sidecar->z_offset ? *sidecar->z_offset : 0.0;
  // (a plain flag and value: g++ 12 misreads std::optional here as maybe-uninitialised)
  const bool has_missing_value = sidecar && sidecar->missing_value.has_value();
  const double missing_value = has_missing_value ? *sidecar->missing_value : 0.0;

  std::vector<float> values;  // grows with the text, so bounded by the file's size
  char separator = 0;
  std::size_t columns = 0;
  std::size_t rows = 0;
  for_each_line(text, [&](std::size_t line_number, std::string_view line) {
    const std::string_view content = trim(line);
    if (content.empty() || content.front() == '#') return;
    if (separator == 0) separator = pick_separator(content);
    const std::string where = name + ": line " + std::to_string(line_number);
    std::size_t count = 0;
    std::string_view rest = content;
    while (true) {
      std::size_t end;
      if (separator == ' ') {
        end = rest.find_first_of(" \t");
      } else {
        end = rest.find(separator);
      }
      const std::string_view cell = trim(rest.substr(0, end));
      ++count;
      float height = std::numeric_limits<float>::quiet_NaN();
      if (!cell.empty()) {
        const std::optional<double> value = parse_number(cell);
        if (!value) {
          throw InputError(where + ", column " + std::to_string(count) + ": " + quoted(cell) +
                           " is not a number (a CSV grid holds only heights; start comment lines with #)");
        }
        if (std::isfinite(*value) && !(has_missing_value && *value == missing_value)) {
          height = static_cast<float>((z_offset + z_scale * *value) * z_factor);
        }
      }
      values.push_back(height);
      if (end == std::string_view::npos) break;
      rest.remove_prefix(end + 1);
      if (separator == ' ') rest = trim(rest);
    }
    if (columns == 0) {
      columns = count;
    } else if (count != columns) {
      throw InputError(where + " has " + std::to_string(count) + " values, but the rows above have " +
                       std::to_string(columns) + " (every row of a grid must have the same length)");
    }
    ++rows;
    if (values.size() > options.max_points) {
      throw InputError(where + ": more than " + std::to_string(options.max_points) + " points (--max-points)");
    }
  });
  if (rows == 0) throw InputError(name + ": CSV holds no heights");
  if (columns > static_cast<std::size_t>(std::numeric_limits<int>::max()) ||
      rows > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
    throw InputError(name + ": grid too large");
  }
  HeightMap map(static_cast<int>(columns), static_cast<int>(rows), spacing.dx_um, spacing.dy_um);
  for (std::size_t i = 0; i < values.size(); ++i) {
    map.set(static_cast<int>(i / columns), static_cast<int>(i % columns), values[i]);
  }
  map.metadata.source_file = name;
  map.metadata.source_format = "csv";
  return map;
}

EncodedHeightMap encode_csv(const HeightMap& map, const std::string& name) {
  if (map.empty()) throw InputError(name + ": nothing to write (empty height map)");
  std::string text = "# ScarScope height map: heights in micrometres, one row per line (row 0 first), NaN = missing; dx_um " +
                     format_number(map.dx_um()) + ", dy_um " + format_number(map.dy_um()) + "\n";
  text.reserve(map.size() * 10 + text.size());
  for (int r = 0; r < map.ny(); ++r) {
    for (int c = 0; c < map.nx(); ++c) {
      if (c > 0) text += ',';
      text += map.valid(r, c) ? float_to_text(map.height(r, c)) : "NaN";
    }
    text += '\n';
  }
  EncodedHeightMap encoded;
  encoded.bytes = to_bytes(text);
  encoded.sidecar_json = sidecar_to_json(micrometre_sidecar(map.dx_um(), map.dy_um()));
  encoded.notes = {"CSV carries no units: heights written in micrometres (spacing and unit in " +
                   sidecar_path_for(name).filename().string() + ")"};
  return encoded;
}

std::vector<std::string> write_csv(const HeightMap& map, const std::filesystem::path& path) {
  return write_encoded(encode_csv(map, path.string()), path);
}

}  // namespace scarscope::formats
