#include "surface/formats/resample.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_map>

#include "core/error.h"
#include "surface/formats/format_common.h"
#include "surface/formats/sidecar.h"

namespace scarscope::formats {

namespace {

struct Bounds {
  double min_x = std::numeric_limits<double>::infinity();
  double min_y = std::numeric_limits<double>::infinity();
  double max_x = -std::numeric_limits<double>::infinity();
  double max_y = -std::numeric_limits<double>::infinity();
};

Bounds bounds_of(const std::vector<Point3>& points) {
  Bounds b;
  for (const Point3& p : points) {
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
    b.min_x = std::min(b.min_x, p.x);
    b.min_y = std::min(b.min_y, p.y);
    b.max_x = std::max(b.max_x, p.x);
    b.max_y = std::max(b.max_y, p.y);
  }
  return b;
}

}  // namespace

double median_nearest_neighbour_distance(const std::vector<Point3>& points, std::size_t sample) {
  if (points.size() < 2) return 0.0;
  const Bounds b = bounds_of(points);
  const double width = b.max_x - b.min_x;
  const double height = b.max_y - b.min_y;
  if (!(width > 0.0 || height > 0.0) || !std::isfinite(width) || !std::isfinite(height)) return 0.0;
  // Bucket the points in cells of about two points each.
  const double area = std::max(width, 1e-300) * std::max(height, 1e-300);
  double cell = std::sqrt(2.0 * area / static_cast<double>(points.size()));
  if (width == 0.0 || height == 0.0) cell = 2.0 * std::max(width, height) / static_cast<double>(points.size());
  cell = std::max(cell, std::max(width, height) / 4096.0);
  if (!(cell > 0.0) || !std::isfinite(cell)) return 0.0;  // spans too small (or large) to bucket
  const auto cells_x = static_cast<std::int64_t>(width / cell) + 1;
  const auto cells_y = static_cast<std::int64_t>(height / cell) + 1;
  std::unordered_map<std::int64_t, std::vector<std::uint32_t>> buckets;
  buckets.reserve(points.size());
  const auto cell_of = [&](const Point3& p) {
    const auto cx = std::min<std::int64_t>(static_cast<std::int64_t>((p.x - b.min_x) / cell), cells_x - 1);
    const auto cy = std::min<std::int64_t>(static_cast<std::int64_t>((p.y - b.min_y) / cell), cells_y - 1);
    return std::pair{cx, cy};
  };
  for (std::uint32_t i = 0; i < points.size(); ++i) {
    if (!std::isfinite(points[i].x) || !std::isfinite(points[i].y)) continue;
    const auto [cx, cy] = cell_of(points[i]);
    buckets[cy * cells_x + cx].push_back(i);
  }
  const std::size_t step = std::max<std::size_t>(1, points.size() / std::max<std::size_t>(sample, 1));
  std::vector<double> distances;
  for (std::size_t i = 0; i < points.size(); i += step) {
    const Point3& p = points[i];
    if (!std::isfinite(p.x) || !std::isfinite(p.y)) continue;
    const auto [cx, cy] = cell_of(p);
    double best = std::numeric_limits<double>::infinity();
    const auto visit = [&](std::int64_t x, std::int64_t y) {
      if (x < 0 || x >= cells_x || y < 0 || y >= cells_y) return;
      const auto it = buckets.find(y * cells_x + x);
      if (it == buckets.end()) return;
      for (std::uint32_t j : it->second) {
        const double d = std::hypot(points[j].x - p.x, points[j].y - p.y);
        if (d > 0.0 && d < best) best = d;
      }
    };
    // Search growing rings of cells until the ring is farther than the best found; a point with
    // no neighbour within kMaxRings cells is an outlier and does not vote.
    constexpr std::int64_t kMaxRings = 48;
    for (std::int64_t ring = 0; ring <= kMaxRings; ++ring) {
      if (std::isfinite(best) && (static_cast<double>(ring) - 1.0) * cell > best) break;
      if (ring == 0) {
        visit(cx, cy);
        continue;
      }
      for (std::int64_t x = cx - ring; x <= cx + ring; ++x) {
        visit(x, cy - ring);
        visit(x, cy + ring);
      }
      for (std::int64_t y = cy - ring + 1; y <= cy + ring - 1; ++y) {
        visit(cx - ring, y);
        visit(cx + ring, y);
      }
    }
    if (std::isfinite(best)) distances.push_back(best);
  }
  if (distances.empty()) return 0.0;
  const auto middle = distances.begin() + static_cast<std::ptrdiff_t>(distances.size() / 2);
  std::nth_element(distances.begin(), middle, distances.end());
  return *middle;
}

GridFrame plan_grid(const std::vector<Point3>& points, const ResampleSettings& settings) {
  if (points.empty()) throw InputError(settings.name + ": no points to make a height map from");
  const Bounds b = bounds_of(points);
  double spacing = 0.0;
  if (settings.spacing_um) {
    spacing = *settings.spacing_um;
  } else {
    spacing = median_nearest_neighbour_distance(points);
    if (!(spacing > 0.0)) {
      throw InputError(settings.name + ": cannot choose a grid spacing (all points share one x-y position); give --spacing-um");
    }
  }
  if (!(spacing > 0.0) || !std::isfinite(spacing)) throw InputError(settings.name + ": the grid spacing must be positive");
  const double columns = std::floor((b.max_x - b.min_x) / spacing + 0.5) + 1.0;
  const double rows = std::floor((b.max_y - b.min_y) / spacing + 0.5) + 1.0;
  const double grid_points = columns * rows;
  // A grid far larger than the input can only come from a few outlying points or an absurd
  // spacing; refuse it rather than allocate it.
  const double proportionate = std::max(double{1 << 20}, 64.0 * static_cast<double>(settings.input_bytes));
  const double limit = std::min(static_cast<double>(settings.max_points), proportionate);
  if (!std::isfinite(grid_points) || grid_points > limit || columns > 1e9 || rows > 1e9) {
    throw InputError(settings.name + ": the points span " + format_number(b.max_x - b.min_x) + " x " +
                     format_number(b.max_y - b.min_y) + " um; at a spacing of " + format_number(spacing) +
                     " um that is a grid of " + format_number(grid_points) + " points, more than the limit of " +
                     format_number(limit) + " (choose a larger --spacing-um, or remove outlying points)");
  }
  GridFrame frame;
  frame.x0_um = b.min_x;
  frame.y0_um = b.min_y;
  frame.spacing_um = spacing;
  frame.nx = static_cast<int>(columns);
  frame.ny = static_cast<int>(rows);
  return frame;
}

HeightMap resample_point_cloud(const std::vector<Point3>& points, const ResampleSettings& settings) {
  const GridFrame frame = plan_grid(points, settings);
  HeightMap map(frame.nx, frame.ny, frame.spacing_um, frame.spacing_um);
  std::vector<double> sum(map.size(), 0.0);
  std::vector<std::uint32_t> count(map.size(), 0);
  for (const Point3& p : points) {
    if (!std::isfinite(p.x) || !std::isfinite(p.y) || !std::isfinite(p.z)) continue;
    const int c = std::clamp(static_cast<int>(std::lround((p.x - frame.x0_um) / frame.spacing_um)), 0, frame.nx - 1);
    const int r = std::clamp(static_cast<int>(std::lround((p.y - frame.y0_um) / frame.spacing_um)), 0, frame.ny - 1);
    sum[map.index(r, c)] += p.z;
    ++count[map.index(r, c)];
  }
  for (int r = 0; r < frame.ny; ++r) {
    for (int c = 0; c < frame.nx; ++c) {
      const std::size_t i = map.index(r, c);
      if (count[i] == 0) {
        map.set_missing(r, c);
      } else {
        map.set(r, c, static_cast<float>(sum[i] / count[i]));
      }
    }
  }
  map.metadata.comment = "resampled from " + std::to_string(points.size()) + " points at " +
                         format_number(frame.spacing_um) + " um; origin x " + format_number(frame.x0_um) + " um, y " +
                         format_number(frame.y0_um) + " um";
  return map;
}

HeightMap resample_mesh(const std::vector<Point3>& vertices, const std::vector<Triangle>& triangles,
                        const ResampleSettings& settings) {
  const GridFrame frame = plan_grid(vertices, settings);
  HeightMap map(frame.nx, frame.ny, frame.spacing_um, frame.spacing_um);
  for (int r = 0; r < frame.ny; ++r) {
    for (int c = 0; c < frame.nx; ++c) map.set_missing(r, c);
  }
  // Work is the sum of the triangles' bounding boxes; on a height map the triangles tile the
  // grid about once. Far more means a mesh folded over itself many times (or a forged file).
  {
    double work = 0.0;
    for (const Triangle& t : triangles) {
      const Point3& a = vertices[t[0]];
      const Point3& b = vertices[t[1]];
      const Point3& c = vertices[t[2]];
      const double w = (std::max({a.x, b.x, c.x}) - std::min({a.x, b.x, c.x})) / frame.spacing_um + 1.0;
      const double h = (std::max({a.y, b.y, c.y}) - std::min({a.y, b.y, c.y})) / frame.spacing_um + 1.0;
      if (std::isfinite(w) && std::isfinite(h)) work += w * h;
    }
    const double budget = 32.0 * static_cast<double>(map.size()) + 32.0 * static_cast<double>(triangles.size());
    if (work > budget) {
      throw InputError(settings.name + ": the mesh's triangles cover the grid " +
                       format_number(work / static_cast<double>(map.size())) +
                       " times over when seen from above; a height-map mesh covers it about once");
    }
  }
  float* heights = map.heights();
  std::uint8_t* mask = map.mask();
  const double s = frame.spacing_um;
  for (const Triangle& t : triangles) {
    // Grid coordinates of the corners.
    const Point3& a = vertices[t[0]];
    const Point3& b = vertices[t[1]];
    const Point3& c = vertices[t[2]];
    const double ax = (a.x - frame.x0_um) / s, ay = (a.y - frame.y0_um) / s;
    const double bx = (b.x - frame.x0_um) / s, by = (b.y - frame.y0_um) / s;
    const double cx = (c.x - frame.x0_um) / s, cy = (c.y - frame.y0_um) / s;
    const double area = (bx - ax) * (cy - ay) - (cx - ax) * (by - ay);
    if (!(std::abs(area) > 1e-12) || !std::isfinite(area)) continue;  // seen edge-on from above
    const double eps = 1e-9;
    const int c0 = std::max(0, static_cast<int>(std::ceil(std::min({ax, bx, cx}) - eps)));
    const int c1 = std::min(frame.nx - 1, static_cast<int>(std::floor(std::max({ax, bx, cx}) + eps)));
    const int r0 = std::max(0, static_cast<int>(std::ceil(std::min({ay, by, cy}) - eps)));
    const int r1 = std::min(frame.ny - 1, static_cast<int>(std::floor(std::max({ay, by, cy}) + eps)));
    for (int row = r0; row <= r1; ++row) {
      for (int col = c0; col <= c1; ++col) {
        const double px = col, py = row;
        const double wa = ((bx - px) * (cy - py) - (cx - px) * (by - py)) / area;
        const double wb = ((cx - px) * (ay - py) - (ax - px) * (cy - py)) / area;
        const double wc = 1.0 - wa - wb;
        if (wa < -eps || wb < -eps || wc < -eps) continue;
        const auto z = static_cast<float>(wa * a.z + wb * b.z + wc * c.z);
        if (!std::isfinite(z)) continue;
        const std::size_t i = map.index(row, col);
        if (mask[i] == 0 || z > heights[i]) {
          heights[i] = z;
          mask[i] = 1;
        }
      }
    }
  }
  map.metadata.comment = "resampled from a mesh of " + std::to_string(vertices.size()) + " vertices and " +
                         std::to_string(triangles.size()) + " triangles at " + format_number(frame.spacing_um) +
                         " um; origin x " + format_number(frame.x0_um) + " um, y " + format_number(frame.y0_um) + " um";
  return map;
}

HeightMap mesh_height_map(const Mesh& mesh, const std::string& name, const std::string& format,
                          const ResampleSettings& settings) {
  if (mesh.triangles.empty()) throw InputError(name + ": the mesh has no triangles");
  HeightMap map = resample_mesh(mesh.vertices, mesh.triangles, settings);
  map.metadata.source_file = name;
  map.metadata.source_format = format;
  map.metadata.warnings.insert(map.metadata.warnings.end(), mesh.warnings.begin(), mesh.warnings.end());
  return map;
}

HeightMap read_mesh_height_map(std::string_view bytes, const std::string& name, const char* label,
                               const std::string& format, const ReadOptions& options, const Sidecar* sidecar,
                               MeshReader reader) {
  UnitSources sources{name, label, &options, sidecar, std::nullopt, std::nullopt, std::nullopt};
  const Mesh mesh = reader(bytes, name, resolve_height_unit(sources), options.max_points);
  return mesh_height_map(mesh, name, format, ResampleSettings{name, options.spacing_um, options.max_points, bytes.size()});
}

}  // namespace scarscope::formats
