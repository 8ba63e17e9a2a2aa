#include "surface/formats/xyz_format.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <limits>

#include "core/error.h"
#include "surface/formats/format_common.h"

namespace scarscope::formats {

namespace {

// Distinct values of one coordinate, sorted; values equal to within text rounding (a relative
// 1e-9) count as one.
std::vector<double> distinct_values(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  std::vector<double> distinct;
  for (double v : values) {
    if (distinct.empty() || v - distinct.back() > 1e-9 * std::max(std::abs(v), std::abs(distinct.back())) + 1e-12) {
      distinct.push_back(v);
    }
  }
  return distinct;
}

// Spacing of a regular axis through the distinct values, or 0 if they are not on one.
double regular_step(const std::vector<double>& distinct) {
  if (distinct.size() < 2) return 0.0;
  double step = std::numeric_limits<double>::infinity();
  for (std::size_t i = 1; i < distinct.size(); ++i) step = std::min(step, distinct[i] - distinct[i - 1]);
  if (!(step > 0.0) || !std::isfinite(step)) return 0.0;
  for (double v : distinct) {
    const double k = std::round((v - distinct.front()) / step);
    if (std::abs(v - distinct.front() - k * step) > 0.01 * step) return 0.0;
  }
  return step;
}

}  // namespace

std::optional<HeightMap> grid_from_regular_points(const std::vector<Point3>& points, std::uint64_t max_points) {
  if (points.size() < 4) return std::nullopt;
  std::vector<double> xs, ys;
  xs.reserve(points.size());
  ys.reserve(points.size());
  for (const Point3& p : points) {
    xs.push_back(p.x);
    ys.push_back(p.y);
  }
  const double x0 = *std::min_element(xs.begin(), xs.end());
  const double x1 = *std::max_element(xs.begin(), xs.end());
  const double y0 = *std::min_element(ys.begin(), ys.end());
  const double y1 = *std::max_element(ys.begin(), ys.end());
  const std::vector<double> distinct_x = distinct_values(std::move(xs));
  const std::vector<double> distinct_y = distinct_values(std::move(ys));
  const double dx = regular_step(distinct_x);
  const double dy = regular_step(distinct_y);
  if (!(dx > 0.0) || !(dy > 0.0)) return std::nullopt;
  const double columns = std::round((x1 - x0) / dx) + 1.0;
  const double rows = std::round((y1 - y0) / dy) + 1.0;
  // A grid mostly empty is not a grid with a few missing points but scattered points.
  if (!(columns * rows <= 4.0 * static_cast<double>(points.size())) || !(columns * rows <= static_cast<double>(max_points))) {
    return std::nullopt;
  }
  HeightMap map(static_cast<int>(columns), static_cast<int>(rows), dx, dy);
  std::vector<double> sum(map.size(), 0.0);
  std::vector<std::uint32_t> count(map.size(), 0);
  for (const Point3& p : points) {
    const int c = std::clamp(static_cast<int>(std::lround((p.x - x0) / dx)), 0, map.nx() - 1);
    const int r = std::clamp(static_cast<int>(std::lround((p.y - y0) / dy)), 0, map.ny() - 1);
    if (!std::isfinite(p.z)) continue;  // a grid point with an unknown height stays missing
    sum[map.index(r, c)] += p.z;
    ++count[map.index(r, c)];
  }
  std::size_t shared = 0;
  for (int r = 0; r < map.ny(); ++r) {
    for (int c = 0; c < map.nx(); ++c) {
      const std::size_t i = map.index(r, c);
      if (count[i] == 0) {
        map.set_missing(r, c);
      } else {
        map.set(r, c, static_cast<float>(sum[i] / count[i]));
        shared += count[i] > 1;
      }
    }
  }
  if (shared > 0) map.metadata.warnings.push_back(std::to_string(shared) + " grid points given more than once (averaged)");
  map.metadata.comment = "regular grid; origin x " + format_number(x0) + " um, y " + format_number(y0) + " um";
  return map;
}

HeightMap read_xyz_text(std::string_view text, const std::string& name, const ReadOptions& options,
                        const Sidecar* sidecar) {
  UnitSources sources{name, "XYZ", &options, sidecar, std::nullopt, std::nullopt, std::nullopt};
  const double factor = resolve_height_unit(sources);
  std::vector<Point3> points;
  std::optional<std::uint64_t> claimed;  // some XYZ files start with a point count
  bool first_data_line = true;
  for_each_line(text, [&](std::size_t line_number, std::string_view line) {
    const std::string_view content = trim(line);
    if (content.empty() || content.front() == '#' || content.front() == '/') return;
    double values[3] = {0, 0, 0};
    int count = 0;
    std::size_t start = 0;
    const std::string where = name + ": line " + std::to_string(line_number);
    while (start < content.size() && count < 3) {
      const std::size_t end = content.find_first_of(" \t,;", start);
      const std::string_view token = content.substr(start, end == std::string_view::npos ? end : end - start);
      if (!token.empty()) {
        const std::optional<double> value = parse_number(token);
        if (!value) {
          std::string shown(token.substr(0, 40));
          throw InputError(where + ": '" + shown + "' is not a number (expected x y z)");
        }
        values[count++] = *value;
      }
      if (end == std::string_view::npos) break;
      start = end + 1;
    }
    if (first_data_line && count == 1 && values[0] >= 0 && values[0] == std::floor(values[0])) {
      first_data_line = false;
      claimed = static_cast<std::uint64_t>(std::min(values[0], 1e19));
      // Each point needs at least "0 0 0\n": a count larger than the file can hold is a lie.
      const std::uint64_t room = text.size() / 6 + 1;
      if (*claimed > room) {
        throw InputError(where + ": claims " + std::to_string(*claimed) + " points, but a " + std::to_string(text.size()) +
                         "-byte file holds at most " + std::to_string(room));
      }
      if (*claimed > options.max_points) {
        throw InputError(where + ": claims " + std::to_string(*claimed) + " points, more than the limit of " +
                         std::to_string(options.max_points) + " (--max-points)");
      }
      return;
    }
    first_data_line = false;
    if (count < 3) throw InputError(where + ": has " + std::to_string(count) + " numbers; each line needs x y z");
    points.push_back({values[0] * factor, values[1] * factor, values[2] * factor});
    if (points.size() > options.max_points) {
      throw InputError(where + ": more than " + std::to_string(options.max_points) + " points (--max-points)");
    }
  });
  if (claimed && *claimed != points.size()) {
    throw InputError(name + ": line 1 claims " + std::to_string(*claimed) + " points, the file holds " +
                     std::to_string(points.size()));
  }
  // Points with an unknown x or y cannot be placed anywhere.
  points.erase(std::remove_if(points.begin(), points.end(),
                              [](const Point3& p) { return !std::isfinite(p.x) || !std::isfinite(p.y); }),
               points.end());
  if (points.empty()) throw InputError(name + ": XYZ holds no points");
  HeightMap map;
  if (std::optional<HeightMap> grid = grid_from_regular_points(points, options.max_points);
      grid && !options.spacing_um) {
    map = std::move(*grid);
  } else {
    std::erase_if(points, [](const Point3& p) { return !std::isfinite(p.z); });
    if (points.empty()) throw InputError(name + ": XYZ holds no point with a finite height");
    ResampleSettings settings{name, options.spacing_um, options.max_points, text.size()};
    map = resample_point_cloud(points, settings);
  }
  map.metadata.source_file = name;
  map.metadata.source_format = "xyz";
  return map;
}

EncodedHeightMap encode_xyz(const HeightMap& map, const std::string& name) {
  if (map.empty()) throw InputError(name + ": nothing to write (empty height map)");
  std::string text = "# ScarScope height map as points: x y z in micrometres, missing points left out\n";
  for (int r = 0; r < map.ny(); ++r) {
    for (int c = 0; c < map.nx(); ++c) {
      if (!map.valid(r, c)) continue;
      // 12 significant digits, as printf's %.12g, but with a decimal point whatever the locale.
      char coordinates[64];
      char* end = std::to_chars(coordinates, coordinates + 30, c * map.dx_um(), std::chars_format::general, 12).ptr;
      *end++ = ' ';
      end = std::to_chars(end, coordinates + 62, r * map.dy_um(), std::chars_format::general, 12).ptr;
      *end++ = ' ';
      text.append(coordinates, end);
      text += float_to_text(map.height(r, c));
      text += '\n';
    }
  }
  EncodedHeightMap encoded;
  encoded.bytes = to_bytes(text);
  encoded.notes = {"XYZ carries no units: x, y and z written in micrometres (read it back with --units um)"};
  return encoded;
}

std::vector<std::string> write_xyz(const HeightMap& map, const std::filesystem::path& path) {
  return write_encoded(encode_xyz(map, path.string()), path);
}

}  // namespace scarscope::formats
