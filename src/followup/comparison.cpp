#include "followup/comparison.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <locale>
#include <sstream>

#include "core/error.h"
#include "core/format.h"
#include "core/progress.h"
#include "core/random.h"
#include "surface/polynomial_surface.h"

namespace scarscope {

namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kPi = 3.14159265358979323846;

// A scar's outline, or a circle of its diameter when the inventory has no outline; held within a
// margin of the scan it belongs to (an inventory may come from a file and hold any number: no
// footprint or mask is ever sized by a scar far off the scan).
OutlineMm outline_of(const Scar& scar, const HeightMap& scan) {
  OutlineMm outline = scar.outline_mm;
  if (outline.size() < 3) {
    const double radius = std::max(0.5 * scar.diameter_mm, std::sqrt(std::max(scar.area_mm2, 0.0) / kPi));
    outline.clear();
    for (int i = 0; i < 24; ++i) {
      const double a = 2.0 * kPi * i / 24.0;
      outline.push_back({scar.centroid_mm[0] + std::max(radius, 0.1) * std::cos(a),
                         scar.centroid_mm[1] + std::max(radius, 0.1) * std::sin(a)});
    }
  }
  const double width = scan.nx() * scan.dx_um() / 1000.0, height = scan.ny() * scan.dy_um() / 1000.0;
  const double margin = 0.25 * std::max(width, height) + 1.0;
  for (auto& p : outline) {
    if (!std::isfinite(p[0]) || !std::isfinite(p[1])) continue;  // left out when drawn
    p[0] = std::clamp(p[0], -margin, width + margin);
    p[1] = std::clamp(p[1], -margin, height + margin);
  }
  return outline;
}

OutlineMm to_baseline(const OutlineMm& outline, const RigidTransform& transform) {
  OutlineMm mapped;
  mapped.reserve(outline.size());
  for (const auto& p : outline) mapped.push_back(transform.to_baseline(p));
  return mapped;
}

// A scar's footprint on the baseline grid: the pixels of a bounding box (which may reach past the
// grid) inside the outlines, and a ring of skin around them whose mean difference is the local
// reference (so a slow height difference the pose correction left is not taken for a change).
struct Footprint {
  int row0 = 0, col0 = 0, rows = 0, cols = 0;
  std::vector<std::uint8_t> inside;  // rows × cols
  std::vector<std::uint8_t> ring;    // rows × cols
  std::size_t count = 0;
  double centre_row = 0.0, centre_col = 0.0;  // of the inside, in box coordinates
};

Footprint footprint_of(const std::vector<OutlineMm>& outlines, double dx_mm, double dy_mm, double margin_mm,
                       double ring_gap_mm) {
  double x0 = std::numeric_limits<double>::infinity(), y0 = x0, x1 = -x0, y1 = -x0;
  for (const auto& outline : outlines)
    for (const auto& p : outline) {
      x0 = std::min(x0, p[0]);
      y0 = std::min(y0, p[1]);
      x1 = std::max(x1, p[0]);
      y1 = std::max(y1, p[1]);
    }
  Footprint f;
  if (!std::isfinite(x0)) return f;
  const double ring_width_mm = std::max(0.3, 0.25 * std::max(x1 - x0, y1 - y0));
  const double reach = margin_mm + ring_gap_mm + ring_width_mm;
  f.col0 = static_cast<int>(std::floor((x0 - reach) / dx_mm)) - 1;
  f.row0 = static_cast<int>(std::floor((y0 - reach) / dy_mm)) - 1;
  f.cols = static_cast<int>(std::ceil((x1 + reach) / dx_mm)) + 2 - f.col0;
  f.rows = static_cast<int>(std::ceil((y1 + reach) / dy_mm)) + 2 - f.row0;
  std::vector<OutlineMm> local;
  for (const auto& outline : outlines) {
    OutlineMm shifted;
    for (const auto& p : outline) shifted.push_back({p[0] - f.col0 * dx_mm, p[1] - f.row0 * dy_mm});
    local.push_back(std::move(shifted));
  }
  f.inside = rasterize_outlines(local, f.cols, f.rows, dx_mm, dy_mm, margin_mm);
  const std::vector<std::uint8_t> gap = rasterize_outlines(local, f.cols, f.rows, dx_mm, dy_mm, margin_mm + ring_gap_mm);
  f.ring = rasterize_outlines(local, f.cols, f.rows, dx_mm, dy_mm, reach);
  double sr = 0.0, sc = 0.0;
  for (int r = 0; r < f.rows; ++r)
    for (int c = 0; c < f.cols; ++c) {
      const std::size_t i = static_cast<std::size_t>(r) * static_cast<std::size_t>(f.cols) + static_cast<std::size_t>(c);
      f.ring[i] = f.ring[i] && !gap[i];
      if (f.inside[i]) {
        ++f.count;
        sr += r;
        sc += c;
      }
    }
  if (f.count) {
    f.centre_row = sr / static_cast<double>(f.count);
    f.centre_col = sc / static_cast<double>(f.count);
  }
  return f;
}

// Calls visit(r, c, k, row, col) for each point of the footprint's box placed with its corner at
// (row0, col0) that falls inside an nx × ny map; k is the point's index in the footprint's vectors.
template <typename Visit>
void for_each_box_point(const Footprint& f, int row0, int col0, int nx, int ny, Visit&& visit) {
  for (int r = 0; r < f.rows; ++r) {
    const int row = row0 + r;
    if (row < 0 || row >= ny) continue;
    for (int c = 0; c < f.cols; ++c) {
      const int col = col0 + c;
      if (col < 0 || col >= nx) continue;
      visit(r, c, static_cast<std::size_t>(r) * static_cast<std::size_t>(f.cols) + static_cast<std::size_t>(c), row, col);
    }
  }
}

struct FootprintSum {
  bool ok = false;
  double sum_um = 0.0;           // Σ (difference − ring mean) over the footprint, scaled to its whole area
  double core_um = 0.0;          // mean (difference − ring mean) over the core disc
  double inside_fraction = 0.0;  // of the footprint, the points the difference map covers (and that are usable)
};

// The footprint placed with its box at (row0, col0) of the map: points inside must be valid (and
// usable, if `usable` is given), ring points must be usable to count in the reference.
// A height map read as a difference: NaN where missing.
struct MapValues {
  const HeightMap& map;
  int nx() const { return map.nx(); }
  int ny() const { return map.ny(); }
  float at(int row, int col) const {
    const std::size_t i = map.index(row, col);
    return map.mask()[i] ? map.heights()[i] : std::numeric_limits<float>::quiet_NaN();
  }
};

// `seen` (footprint-sized, optional): only these inside points may count (a patch measured on the
// points its scar was measured on); `seen_out` (optional): set to the inside points that counted.
template <typename Values>
FootprintSum measure_at(const Footprint& f, const Values& difference, const std::vector<std::uint8_t>* usable,
                        int row0, int col0, double core_radius_px, const std::vector<std::uint8_t>* ring_usable = nullptr,
                        const std::vector<std::uint8_t>* seen = nullptr, std::vector<std::uint8_t>* seen_out = nullptr) {
  if (!ring_usable) ring_usable = usable;
  if (seen_out) seen_out->assign(f.inside.size(), 0);
  FootprintSum result;
  if (f.count == 0) return result;
  std::size_t used = 0, ring_n = 0, core_n = 0;
  double sum = 0.0, ring = 0.0, core = 0.0;
  for_each_box_point(f, row0, col0, difference.nx(), difference.ny(), [&](int r, int c, std::size_t k, int row, int col) {
    if (!f.inside[k] && !f.ring[k]) return;
    if (f.inside[k] && seen && !(*seen)[k]) return;
    const std::size_t i = static_cast<std::size_t>(row) * static_cast<std::size_t>(difference.nx()) + static_cast<std::size_t>(col);
    const float value = difference.at(row, col);
    if (!std::isfinite(value)) return;
    const double d = value;
    if (f.inside[k]) {
      if (usable && !(*usable)[i]) return;
      sum += d;
      ++used;
      if (seen_out) (*seen_out)[k] = 1;
      if ((r - f.centre_row) * (r - f.centre_row) + (c - f.centre_col) * (c - f.centre_col) <= core_radius_px * core_radius_px) {
        core += d;
        ++core_n;
      }
    } else if (!ring_usable || (*ring_usable)[i]) {
      ring += d;
      ++ring_n;
    }
  });
  result.inside_fraction = static_cast<double>(used) / static_cast<double>(f.count);
  if (used == 0) return result;
  const double reference = ring_n >= 10 ? ring / static_cast<double>(ring_n) : 0.0;
  result.sum_um = (sum / static_cast<double>(used) - reference) * static_cast<double>(f.count);
  result.core_um = core_n ? core / static_cast<double>(core_n) - reference : 0.0;
  result.ok = ring_n >= 10;
  return result;
}

struct Noise {
  double volume_sd_mm3 = 0.0;  // SD of the difference integrated over a patch shaped like the scar
  double core_sd_um = 0.0;     // SD of the mean difference over the scar's core disc
  int patches = 0;
};

// The scar's relief in the baseline over its footprint (µm summed over the points, scaled to the whole
// footprint like a change): against a quadratic fitted to the baseline on the footprint's ring of
// unchanged skin, so the skin's own curvature does not count. Depressions positive (raised: heights
// above the fit). This is the volume the measured change is a share of: the same points, the same
// kind of reference, whatever the analysis took for the scar's rim. 0 when it cannot be measured.
double footprint_relief_um(const Footprint& f, const HeightMap& baseline, const std::vector<std::uint8_t>& unchanged,
                           bool raised) {
  if (f.count == 0) return 0.0;
  // The box's rows and columns that fall on the map, in box coordinates.
  const int r_begin = std::max(0, -f.row0), r_end = std::min(f.rows, baseline.ny() - f.row0);
  const int c_begin = std::max(0, -f.col0), c_end = std::min(f.cols, baseline.nx() - f.col0);
  if (r_begin >= r_end || c_begin >= c_end) return 0.0;
  // Coordinates scaled to about [-1, 1] over the box (surface/polynomial_surface.h).
  const double scale_r = std::max(1.0, 0.5 * f.rows), scale_c = std::max(1.0, 0.5 * f.cols);
  const auto y_of = [&](int r) { return (r - 0.5 * f.rows) / scale_r; };
  std::vector<double> x;
  for (int c = c_begin; c < c_end; ++c) x.push_back((c - 0.5 * f.cols) / scale_c);
  PolynomialFit fit(2, x);
  std::vector<float> z(x.size());
  std::vector<std::uint8_t> keep(x.size());
  for (int r = r_begin; r < r_end; ++r) {
    for (int c = c_begin; c < c_end; ++c) {
      const std::size_t i = baseline.index(f.row0 + r, f.col0 + c);
      const std::size_t k = static_cast<std::size_t>(c - c_begin);
      z[k] = baseline.heights()[i];
      keep[k] = f.ring[static_cast<std::size_t>(r) * static_cast<std::size_t>(f.cols) + static_cast<std::size_t>(c)] &&
                baseline.mask()[i] && unchanged[i];
    }
    fit.add_row(y_of(r), z.data(), keep.data());
  }
  if (fit.points() < 30) return 0.0;
  const PolynomialSurface skin = fit.solve();
  std::vector<double> skin_row(x.size());
  double relief = 0.0;
  std::size_t used = 0;
  for (int r = r_begin; r < r_end; ++r) {
    skin.evaluate_row(y_of(r), x, skin_row.data());
    for (int c = c_begin; c < c_end; ++c) {
      const std::size_t i = baseline.index(f.row0 + r, f.col0 + c);
      if (!f.inside[static_cast<std::size_t>(r) * static_cast<std::size_t>(f.cols) + static_cast<std::size_t>(c)] ||
          !baseline.mask()[i]) {
        continue;
      }
      const double s = skin_row[static_cast<std::size_t>(c - c_begin)];
      relief += raised ? baseline.heights()[i] - s : s - baseline.heights()[i];
      ++used;
    }
  }
  if (used == 0) return 0.0;
  return relief / static_cast<double>(used) * static_cast<double>(f.count);
}

// The spread of the measurement over patches of unchanged skin shaped like the scar (with their own
// ring), placed at random (deterministically seeded). The SD of such a difference is √2 × the SE
// of one measurement. A scar is measured where the slow residual of the pose was interpolated from
// the skin around it, not estimated from its own points; so the patches are measured the same way:
// in batches of patches that do not overlap, each batch held out of that low-pass.
// The fraction of a patch's inside on usable points, read on a lattice of every stride-th point (a
// quick first look; the patch is measured in full once chosen).
double usable_fraction(const Footprint& f, const HeightMap& map, const std::vector<std::uint8_t>& usable, int row0,
                       int col0, int stride) {
  std::size_t inside = 0, used = 0;
  for (int r = 0; r < f.rows; r += stride) {
    const int row = row0 + r;
    for (int c = 0; c < f.cols; c += stride) {
      if (!f.inside[static_cast<std::size_t>(r) * static_cast<std::size_t>(f.cols) + static_cast<std::size_t>(c)]) continue;
      ++inside;
      const int col = col0 + c;
      if (row < 0 || row >= map.ny() || col < 0 || col >= map.nx()) continue;
      const std::size_t i = map.index(row, col);
      used += map.mask()[i] && usable[i];
    }
  }
  return inside ? static_cast<double>(used) / static_cast<double>(inside) : 0.0;
}

// Counts of unchanged skin over boxes, from a summed-area table (a cheap first test of a patch place).
struct UnchangedCounts {
  cv::Mat table;  // CV_32S, (ny + 1) × (nx + 1)
  explicit UnchangedCounts(const Registration& registration) {
    const HeightMap& map = registration.pose_residual;
    if (map.empty() || registration.unchanged_skin.size() != map.size()) return;
    const cv::Mat mask(map.ny(), map.nx(), CV_8U, const_cast<std::uint8_t*>(registration.unchanged_skin.data()));
    cv::integral(mask, table, CV_32S);
  }
  long in_box(int row0, int col0, int rows, int cols) const {
    if (table.empty()) return std::numeric_limits<long>::max();
    return static_cast<long>(table.at<int>(row0 + rows, col0 + cols)) - table.at<int>(row0, col0 + cols) -
           table.at<int>(row0 + rows, col0) + table.at<int>(row0, col0);
  }
};

Noise patch_noise(const Footprint& f, const Registration& noise_source, HoldOutDifference& held_out_difference,
                  const UnchangedCounts& unchanged_counts, double core_radius_px, int wanted, std::uint64_t seed,
                  const std::vector<std::uint8_t>* scar_seen, double scar_seen_fraction, const Progress* progress,
                  double fraction) {
  Noise noise;
  const HeightMap& residual = noise_source.pose_residual;
  // About 2500 points are enough for the first look at a place.
  const int stride = std::max(1, static_cast<int>(std::sqrt(static_cast<double>(f.count) / 2500.0)));
  const std::vector<std::uint8_t>& unchanged = noise_source.unchanged_skin;
  if (f.count == 0 || residual.empty() || f.rows >= residual.ny() || f.cols >= residual.nx()) return noise;
  const double pixel_area_mm2 = residual.dx_um() * residual.dy_um() * 1e-6;
  // ScarScope's own random numbers (core/random.h): the same patches on every standard library.
  Random rng(seed);
  std::vector<double> sums, cores;
  const int attempts = wanted * 40;
  // At most this many patches per batch (each batch costs one low-pass of the whole map).
  const int batch_size = 25;
  int attempt = 0;
  while (attempt < attempts && static_cast<int>(sums.size()) < wanted) {
    progress_step(progress, "measuring changes", fraction);  // each batch costs a low-pass: a place to stop
    std::vector<std::array<int, 2>> batch;
    std::vector<std::size_t> held_out;
    // Places that overlap a patch of the batch are passed over (they do not count as attempts; a
    // batch closes when no free place turns up in a few hundred picks).
    for (int picks = 0; picks < 400 && attempt < attempts && static_cast<int>(batch.size()) < batch_size &&
                        static_cast<int>(sums.size() + batch.size()) < wanted;
         ++picks) {
      const int row0 = static_cast<int>(rng.uniform_int(0, residual.ny() - f.rows));
      const int col0 = static_cast<int>(rng.uniform_int(0, residual.nx() - f.cols));
      bool overlaps = false;
      for (const auto& other : batch) {
        if (std::abs(other[0] - row0) < f.rows && std::abs(other[1] - col0) < f.cols) overlaps = true;
      }
      if (overlaps) continue;
      ++attempt;
      // Fewer unchanged points in the whole box than 60 % of the patch: no need to look closer.
      if (static_cast<double>(unchanged_counts.in_box(row0, col0, f.rows, f.cols)) < 0.6 * static_cast<double>(f.count)) {
        continue;
      }
      // At least 60 % of the patch on unchanged skin: dense scars leave few patches of entirely clear
      // skin, and the mean over the rest stands for the patch (its spread is then a little larger,
      // so the MDC errs on the safe side).
      if (usable_fraction(f, residual, unchanged, row0, col0, stride) < 0.55) continue;
      batch.push_back({row0, col0});
      for (int r = 0; r < f.rows; ++r)
        for (int c = 0; c < f.cols; ++c)
          if (f.inside[static_cast<std::size_t>(r) * static_cast<std::size_t>(f.cols) + static_cast<std::size_t>(c)]) {
            held_out.push_back(residual.index(row0 + r, col0 + c));
          }
    }
    if (batch.empty()) break;
    held_out_difference.hold_out(held_out);
    for (const auto& [row0, col0] : batch) {
      const FootprintSum m =
          measure_at(f, held_out_difference, &unchanged, row0, col0, core_radius_px, nullptr, scar_seen);
      if (!m.ok || m.inside_fraction < 0.6 * scar_seen_fraction) continue;
      sums.push_back(m.sum_um * pixel_area_mm2 * 1e-3);
      cores.push_back(m.core_um);
    }
  }
  auto sd = [](const std::vector<double>& v) {
    if (v.size() < 2) return 0.0;
    double mean = 0.0;
    for (double x : v) mean += x;
    mean /= static_cast<double>(v.size());
    double ss = 0.0;
    for (double x : v) ss += (x - mean) * (x - mean);
    return std::sqrt(ss / static_cast<double>(v.size() - 1));
  };
  noise.volume_sd_mm3 = sd(sums);
  noise.core_sd_um = sd(cores);
  noise.patches = static_cast<int>(sums.size());
  return noise;
}

// What resampling alone puts into a scar's measured change. The follow-up is sampled (bicubic) at
// the baseline's grid points, and on a scar's steep walls and curved floor that interpolation errs
// far more than on skin, so patches of skin cannot show it. It is estimated on the baseline itself:
// sampled at the follow-up's grid points (where the registration puts them) and brought back onto
// its own grid as the follow-up is, then integrated like a change over the scar's footprint. That
// round trip interpolates twice where the follow-up is interpolated once: one interpolation's share
// of the variance is taken as half its square. Returns the volume (mm³) and the core mean (µm).
struct ResamplingError {
  double volume_mm3 = 0.0;
  double core_um = 0.0;
  double signed_sum_um = 0.0;   // the round trip's Σ (difference − ring mean), signed (two interpolations)
  double signed_core_um = 0.0;
};

ResamplingError resampling_error(const Footprint& f, const HeightMap& baseline, const RigidTransform& transform,
                                 double followup_dx_mm, double followup_dy_mm, double core_radius_px) {
  ResamplingError error;
  if (f.count == 0) return error;
  const double bdx = baseline.dx_um() / 1000.0, bdy = baseline.dy_um() / 1000.0;
  constexpr int kMargin = 4;
  const int r0 = std::max(0, f.row0 - kMargin), c0 = std::max(0, f.col0 - kMargin);
  const int r1 = std::min(baseline.ny(), f.row0 + f.rows + kMargin), c1 = std::min(baseline.nx(), f.col0 + f.cols + kMargin);
  if (r1 - r0 < 8 || c1 - c0 < 8) return error;
  const int rows = r1 - r0, cols = c1 - c0;
  cv::Mat heights = cv::Mat::zeros(rows, cols, CV_32F), weight = cv::Mat::zeros(rows, cols, CV_32F);
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c)
      if (baseline.valid(r0 + r, c0 + c) && std::isfinite(baseline.height(r0 + r, c0 + c))) {
        heights.at<float>(r, c) = baseline.height(r0 + r, c0 + c);
        weight.at<float>(r, c) = 1.0f;
      }
  // Bicubic sampling of weighted heights where the whole 4 x 4 neighbourhood is valid, as compare does.
  auto sample = [](const cv::Mat& h, const cv::Mat& w, const cv::Mat& map_x, const cv::Mat& map_y, cv::Mat& out,
                   cv::Mat& out_valid) {
    cv::Mat sampled, cubic_weight, eroded, linear_weight;
    cv::erode(w, eroded, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(3, 3)), cv::Point(-1, -1), 1,
              cv::BORDER_CONSTANT, cv::Scalar(0));
    cv::remap(h.mul(w), sampled, map_x, map_y, cv::INTER_CUBIC, cv::BORDER_CONSTANT, cv::Scalar(0));
    cv::remap(w, cubic_weight, map_x, map_y, cv::INTER_CUBIC, cv::BORDER_CONSTANT, cv::Scalar(0));
    cv::remap(eroded, linear_weight, map_x, map_y, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0));
    out = cv::Mat::zeros(map_x.size(), CV_32F);
    out_valid = cv::Mat::zeros(map_x.size(), CV_32F);
    for (int r = 0; r < out.rows; ++r)
      for (int c = 0; c < out.cols; ++c) {
        if (linear_weight.at<float>(r, c) < 0.99f) continue;
        out.at<float>(r, c) = sampled.at<float>(r, c) / std::max(cubic_weight.at<float>(r, c), 0.5f);
        out_valid.at<float>(r, c) = 1.0f;
      }
  };
  // The follow-up's grid points over the box.
  double fx0 = std::numeric_limits<double>::infinity(), fy0 = fx0, fx1 = -fx0, fy1 = -fx0;
  for (const auto& corner : {std::array<double, 2>{c0 * bdx, r0 * bdy}, std::array<double, 2>{c1 * bdx, r0 * bdy},
                             std::array<double, 2>{c0 * bdx, r1 * bdy}, std::array<double, 2>{c1 * bdx, r1 * bdy}}) {
    const auto p = transform.to_followup(corner);
    fx0 = std::min(fx0, p[0]);
    fx1 = std::max(fx1, p[0]);
    fy0 = std::min(fy0, p[1]);
    fy1 = std::max(fy1, p[1]);
  }
  const int j0 = static_cast<int>(std::floor(fx0 / followup_dx_mm)) - 2, i0 = static_cast<int>(std::floor(fy0 / followup_dy_mm)) - 2;
  const int fcols = static_cast<int>(std::ceil(fx1 / followup_dx_mm)) + 3 - j0;
  const int frows = static_cast<int>(std::ceil(fy1 / followup_dy_mm)) + 3 - i0;
  if (fcols <= 0 || frows <= 0 || static_cast<double>(fcols) * frows > 4.0 * rows * cols + 1e4) return error;
  // Sampling maps for cv::remap: for each target point (row, col), where it lies in the source, in source pixels.
  auto make_maps = [](int map_rows, int map_cols, auto&& to_source_px, cv::Mat& map_x, cv::Mat& map_y) {
    map_x.create(map_rows, map_cols, CV_32F);
    map_y.create(map_rows, map_cols, CV_32F);
    for (int r = 0; r < map_rows; ++r)
      for (int c = 0; c < map_cols; ++c) {
        const std::array<double, 2> q = to_source_px(r, c);
        map_x.at<float>(r, c) = static_cast<float>(q[0]);
        map_y.at<float>(r, c) = static_cast<float>(q[1]);
      }
  };
  cv::Mat map_x, map_y;
  make_maps(frows, fcols, [&](int i, int j) {
    const auto q = transform.to_baseline({(j0 + j) * followup_dx_mm, (i0 + i) * followup_dy_mm});
    return std::array<double, 2>{q[0] / bdx - c0, q[1] / bdy - r0};
  }, map_x, map_y);
  cv::Mat on_followup, on_followup_valid;
  sample(heights, weight, map_x, map_y, on_followup, on_followup_valid);
  cv::Mat back_x, back_y;
  make_maps(rows, cols, [&](int r, int c) {
    const auto p = transform.to_followup({(c0 + c) * bdx, (r0 + r) * bdy});
    return std::array<double, 2>{p[0] / followup_dx_mm - j0, p[1] / followup_dy_mm - i0};
  }, back_x, back_y);
  cv::Mat back, back_valid;
  sample(on_followup, on_followup_valid, back_x, back_y, back, back_valid);
  HeightMap difference(cols, rows, baseline.dx_um(), baseline.dy_um());
  for (int r = 0; r < rows; ++r)
    for (int c = 0; c < cols; ++c) {
      if (back_valid.at<float>(r, c) > 0.5f && weight.at<float>(r, c) > 0.5f) {
        difference.set(r, c, back.at<float>(r, c) - heights.at<float>(r, c));
      } else {
        difference.set_missing(r, c);
      }
    }
  const FootprintSum m = measure_at(f, MapValues{difference}, nullptr, f.row0 - r0, f.col0 - c0, core_radius_px);
  if (!m.ok) return error;
  error.volume_mm3 = std::fabs(m.sum_um) * bdx * bdy * 1e-3 / std::sqrt(2.0);
  error.core_um = std::fabs(m.core_um) / std::sqrt(2.0);
  error.signed_sum_um = m.sum_um;
  error.signed_core_um = m.core_um;
  return error;
}

// The 97.5 % quantile of Student's t with nu degrees of freedom: a scar's change is compared with an
// SD estimated from patches, and with few independent patches that estimate is itself uncertain.
double student_t975(double nu) {
  static constexpr double kTable[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                                      2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                                      2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};
  nu = std::max(nu, 1.0);
  if (nu < 30.0) {
    // Linear in 1/nu between the tabulated integers.
    const int lo = static_cast<int>(std::floor(nu));
    const double a = 1.0 / lo, b = 1.0 / (lo + 1), w = (a - 1.0 / nu) / (a - b);
    return (1.0 - w) * kTable[lo - 1] + w * kTable[lo];
  }
  // Cornish-Fisher expansion about the normal quantile (error below 1e-4 from 30 on).
  const double z = 1.959964, z3 = z * z * z, z5 = z3 * z * z, z7 = z5 * z * z;
  return z + (z3 + z) / (4.0 * nu) + (5.0 * z5 + 16.0 * z3 + 3.0 * z) / (96.0 * nu * nu) +
         (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / (384.0 * nu * nu * nu);
}

// Pixel-level spread of the unchanged difference, for scars too large for enough patches.
double pixel_sd(const HeightMap& difference, const std::vector<std::uint8_t>& unchanged) {
  double s = 0.0, ss = 0.0;
  std::size_t n = 0;
  for (std::size_t i = 0; i < unchanged.size(); ++i) {
    if (!unchanged[i]) continue;
    const double d = difference.heights()[i];
    s += d;
    ss += d * d;
    ++n;
  }
  if (n < 2) return 0.0;
  const double mean = s / static_cast<double>(n);
  return std::sqrt(std::max(0.0, ss / static_cast<double>(n) - mean * mean));
}

std::string fixed(double value, int decimals) { return fixed_decimal(value, decimals); }

// Enough decimals that a small volume still shows its first two significant digits.
std::string volume_text(double mm3) {
  int decimals = 3;
  for (double v = std::fabs(mm3); v > 0.0 && v < 0.1 && decimals < 6; v *= 10.0) ++decimals;
  return fixed(mm3, decimals);
}

double percent(double change, double before) { return before > 0.0 ? 100.0 * change / before : kNaN; }


nlohmann::json number_or_null(double value, int decimals) {
  if (!std::isfinite(value)) return nullptr;
  const double scale = std::pow(10.0, decimals);
  return std::round(value * scale) / scale;
}

nlohmann::json point_json(const std::optional<std::array<double, 2>>& p) {
  if (!p) return nullptr;
  return nlohmann::json::array({number_or_null((*p)[0], 4), number_or_null((*p)[1], 4)});
}

double reference_diameter(const Scar* b, const Scar* f) { return b ? b->diameter_mm : (f ? f->diameter_mm : 0.0); }

const char* kNewScarNote =
    "new scar: check acne activity (new atrophic scars mean active disease; treat scars once acne is inactive)";

}  // namespace

VisitComparison compare_visits(const HeightMap& baseline, const ScarInventory& baseline_scars,
                               const HeightMap& followup, const ScarInventory& followup_scars,
                               const CompareOptions& options, const Progress* progress) {
  progress_step(progress, "registration", 0.0);
  VisitComparison result;
  RegistrationOptions registration_options = options.registration;
  for (const Scar& scar : baseline_scars.scars) registration_options.baseline_scars.push_back(outline_of(scar, baseline));
  for (const Scar& scar : followup_scars.scars) registration_options.followup_scars.push_back(outline_of(scar, followup));
  // Registration takes about half the work, the scars' changes the rest (a retest registration its share).
  const double registered_at = options.baseline_retest ? 0.35 : 0.5;
  {
    const Progress part = sub_progress(progress, 0.0, registered_at);
    result.registration = register_followup(baseline, followup, registration_options, &part);
  }
  result.global.count_baseline = static_cast<int>(baseline_scars.scars.size());
  result.global.count_followup = static_cast<int>(followup_scars.scars.size());
  const Registration& reg = result.registration;
  if (!reg.registered) {
    result.notes.push_back(reg.problem);
    progress_step(progress, "done", 1.0);
    return result;
  }

  // Where the measurement noise comes from: a test-retest pair of the baseline visit if given,
  // otherwise the unchanged skin of this very pair.
  Registration retest;
  const Registration* noise_source = &reg;
  result.mdc_source = "unchanged skin of this pair";
  if (options.baseline_retest) {
    RegistrationOptions retest_options = options.registration;
    for (const Scar& scar : baseline_scars.scars) {
      retest_options.baseline_scars.push_back(outline_of(scar, baseline));
    }
    const Progress part = sub_progress(progress, 0.35, 0.5);
    retest = register_followup(baseline, *options.baseline_retest, retest_options, &part);
    if (retest.registered) {
      noise_source = &retest;
      result.mdc_source = "test-retest scans of the baseline";
    } else {
      result.notes.push_back("the retest scan did not register onto the baseline (" + retest.problem +
                             "); the MDC comes from the unchanged skin of this pair");
    }
  }
  const double fallback_pixel_sd = pixel_sd(noise_source->difference, noise_source->unchanged_skin);
  // Scars and the patches standing in for them are measured the same way: the slow residual of the
  // pose interpolated under them from the skin around.
  HoldOutDifference scar_difference(reg);
  HoldOutDifference noise_difference(*noise_source);
  const UnchangedCounts unchanged_counts(*noise_source);
  const std::size_t unchanged_total = static_cast<std::size_t>(
      std::count_if(noise_source->unchanged_skin.begin(), noise_source->unchanged_skin.end(),
                    [](std::uint8_t v) { return v != 0; }));

  const double dx = baseline.dx_um() / 1000.0, dy = baseline.dy_um() / 1000.0;
  const double pixel_area_mm2 = dx * dy;
  const std::vector<ScarPair> pairs = match_scars(baseline_scars, followup_scars, reg.transform, options.matching);
  std::uint64_t seed = 1;
  const double pair_count = static_cast<double>(pairs.size());
  double done_pairs = 0.0;
  for (const ScarPair& pair : pairs) {
    const double fraction = 0.5 + 0.49 * done_pairs++ / pair_count;
    progress_step(progress, "measuring changes", fraction);
    ScarChange change;
    const Scar* b = pair.baseline_index >= 0 ? &baseline_scars.scars[static_cast<std::size_t>(pair.baseline_index)] : nullptr;
    const Scar* f = pair.followup_index >= 0 ? &followup_scars.scars[static_cast<std::size_t>(pair.followup_index)] : nullptr;
    std::vector<OutlineMm> outlines;
    if (b) {
      change.baseline_id = b->id;
      change.baseline_centroid_mm = b->centroid_mm;
      outlines.push_back(outline_of(*b, baseline));
    }
    if (f) {
      change.followup_id = f->id;
      change.followup_centroid_mm = f->centroid_mm;
      outlines.push_back(to_baseline(outline_of(*f, followup), reg.transform));
    }
    const Scar& reference = b ? *b : *f;
    change.type = scar_type_name(reference.type);
    const bool raised = reference.type == ScarType::hypertrophic;
    const Footprint footprint =
        footprint_of(outlines, dx, dy, options.footprint_margin_mm, options.registration.scar_margin_mm);
    const double core_radius_px = std::max(1.5, 0.15 * reference_diameter(b, f) / std::min(dx, dy));
    std::vector<std::uint8_t> seen;
    const FootprintSum measured =
        // The ring is taken on unchanged skin only, so a neighbouring scar's change does not leak in.
        measure_at(footprint, scar_difference, nullptr, footprint.row0, footprint.col0, core_radius_px, &reg.unchanged_skin,
                   nullptr, &seen);
    // A depression gets smaller when the skin rises; a raised scar when it sinks.
    change.measured_volume_change_mm3 = (raised ? 1.0 : -1.0) * measured.sum_um * pixel_area_mm2 * 1e-3;
    change.seen_fraction = measured.inside_fraction;
    const Noise noise =
        patch_noise(footprint, *noise_source, noise_difference, unchanged_counts, core_radius_px, options.mdc_patches, seed++,
                    options.mdc_patches_as_scar_seen && measured.inside_fraction > 0.0 ? &seen : nullptr,
                    options.mdc_patches_as_scar_seen ? std::max(measured.inside_fraction, 0.05) : 1.0, progress, fraction);
    change.mdc_patches = noise.patches;
    // The resampling error of this scar's own relief adds to the noise the skin shows.
    const ResamplingError resampling =
        options.resampling_in_mdc ? resampling_error(footprint, baseline, reg.transform, followup.dx_um() / 1000.0,
                                                     followup.dy_um() / 1000.0, core_radius_px)
                                  : ResamplingError{};
    change.resampling_error_mm3 = resampling.volume_mm3;
    // Interpolation smooths a pit (its floor comes out higher, its rim lower) the same way every
    // time: a bias, not noise. The round trip interpolates twice where the follow-up is interpolated
    // once, so half of it (signed) is what resampling alone put into the measured change; taken out.
    change.resampling_bias_mm3 = (raised ? 1.0 : -1.0) * 0.5 * resampling.signed_sum_um * pixel_area_mm2 * 1e-3;
    if (options.correct_resampling_bias) change.measured_volume_change_mm3 -= change.resampling_bias_mm3;
    if (noise.patches >= 20) {
      // The patches overlap once there are more of them than places for disjoint ones: the SD rests
      // on about (unchanged skin / footprint) independent patches, so the 95 % limit is Student's.
      const double independent =
          std::min(static_cast<double>(noise.patches),
                   static_cast<double>(unchanged_total) / std::max<double>(1.0, static_cast<double>(footprint.count)));
      const double quantile = options.student_t_mdc ? student_t975(std::max(2.0, independent) - 1.0) : 1.96;
      change.mdc_independent_patches = independent;
      change.volume_mdc_mm3 = std::hypot(quantile * noise.volume_sd_mm3, 1.96 * resampling.volume_mm3);
      change.depth_mdc_um = std::hypot(quantile * noise.core_sd_um, 1.96 * resampling.core_um);
    } else {
      // Too few patches of unchanged skin this size: assume independent points (an underestimate
      // when the noise is correlated, said so in the note).
      change.volume_mdc_mm3 =
          1.96 * fallback_pixel_sd * std::sqrt(static_cast<double>(footprint.count)) * pixel_area_mm2 * 1e-3;
      change.depth_mdc_um = 1.96 * fallback_pixel_sd / std::max(1.0, core_radius_px * std::sqrt(kPi));
      change.volume_mdc_mm3 = std::hypot(change.volume_mdc_mm3, 1.96 * resampling.volume_mm3);
      change.depth_mdc_um = std::hypot(change.depth_mdc_um, 1.96 * resampling.core_um);
    }
    const bool inside = measured.inside_fraction >= 0.9;

    change.volume_mm3 = {b ? b->volume_mm3 : kNaN, f ? f->volume_mm3 : kNaN};
    change.depth_um = {b ? b->depth_um : kNaN, f ? f->depth_um : kNaN};
    change.area_mm2 = {b ? b->area_mm2 : kNaN, f ? f->area_mm2 : kNaN};
    const double mdc = change.volume_mdc_mm3;
    const double measured_change = change.measured_volume_change_mm3;
    auto status_from = [&](double delta) {
      return delta < -mdc ? ChangeStatus::improved : (delta > mdc ? ChangeStatus::worse : ChangeStatus::stable);
    };
    if (b && f) {
      change.status = status_from(measured_change);
      // The change is a share of the relief over the same footprint (the analysis' volume, measured to
      // its own rim, is often smaller for a wide shallow scar, and would inflate the share); after =
      // before less that share. Without a usable relief: before + the measured change.
      const double relief_mm3 = footprint_relief_um(footprint, baseline, reg.unchanged_skin, raised) * pixel_area_mm2 * 1e-3;
      if (options.change_as_share_of_relief && relief_mm3 > std::max(0.0, 2.0 * mdc)) {
        change.volume_mm3[1] = std::max(0.0, b->volume_mm3 * (1.0 + std::max(-1.0, measured_change / relief_mm3)));
        change.relief_mm3 = relief_mm3;
      } else {
        change.volume_mm3[1] = std::max(0.0, b->volume_mm3 + measured_change);
      }
    } else if (b) {
      if (!inside) {
        change.status = ChangeStatus::not_found;
        change.note = "outside the area the follow-up covers";
      } else {
        // The follow-up analysis did not list it, but the registration says where it is.
        change.followup_centroid_mm = reg.transform.to_followup(b->centroid_mm);
        change.followup_centroid_mapped = true;
        const double after = std::max(0.0, b->volume_mm3 + measured_change);
        change.volume_mm3[1] = after;
        if (after <= mdc) {
          change.status = ChangeStatus::resolved;
          change.note = "no longer measurable: what remains is within measurement noise";
          change.depth_um[1] = 0.0;
          change.area_mm2[1] = 0.0;
        } else {
          change.status = status_from(measured_change);
          change.note = "not listed by the follow-up analysis; measured in the registered difference";
        }
      }
    } else {
      if (!inside) {
        change.status = ChangeStatus::not_found;
        change.note = "outside the area the baseline covers";
      } else if (measured_change > mdc) {
        change.status = ChangeStatus::new_scar;
        change.volume_mm3[0] = 0.0;
        change.note = raised ? "new raised scar" : kNewScarNote;
      } else {
        change.status = ChangeStatus::stable;
        change.volume_mm3[0] = std::max(0.0, f->volume_mm3 - measured_change);
        change.note = "already present at baseline, where its analysis did not list it";
      }
    }
    if (std::isfinite(change.volume_mm3[0]) && std::isfinite(change.volume_mm3[1])) {
      change.volume_change_mm3 = change.volume_mm3[1] - change.volume_mm3[0];
      change.volume_change_pct = percent(change.volume_change_mm3, change.volume_mm3[0]);
    } else {
      change.volume_change_mm3 = kNaN;
      change.volume_change_pct = kNaN;
    }
    change.depth_change_um = change.depth_um[1] - change.depth_um[0];
    change.depth_change_pct = percent(change.depth_change_um, change.depth_um[0]);
    change.area_change_mm2 = change.area_mm2[1] - change.area_mm2[0];
    change.area_change_pct = percent(change.area_change_mm2, change.area_mm2[0]);
    if (change.status == ChangeStatus::new_scar || change.status == ChangeStatus::not_found) {
      change.volume_change_pct = change.status == ChangeStatus::new_scar ? kNaN : change.volume_change_pct;
      change.depth_change_pct = kNaN;
      change.area_change_pct = kNaN;
    }
    if (change.note.empty()) change.note = describe_change(change);

    GlobalChange& g = result.global;
    if (change.status == ChangeStatus::improved) ++g.improved;
    else if (change.status == ChangeStatus::stable) ++g.stable;
    else if (change.status == ChangeStatus::worse) ++g.worse;
    else if (change.status == ChangeStatus::new_scar) ++g.new_scars;
    else if (change.status == ChangeStatus::resolved) ++g.resolved;
    else ++g.not_found;
    // The total covers the depressions both scans see (raised scars have a volume of another kind).
    if (!raised && change.status != ChangeStatus::not_found) {
      g.volume_before_mm3 += change.volume_mm3[0];
      g.volume_after_mm3 += change.volume_mm3[1];
      g.volume_mdc_mm3 += mdc * mdc;
    }
    result.scars.push_back(std::move(change));
  }
  GlobalChange& g = result.global;
  g.volume_mdc_mm3 = std::sqrt(g.volume_mdc_mm3);
  g.volume_change_pct = percent(g.volume_after_mm3 - g.volume_before_mm3, g.volume_before_mm3);
  if (g.new_scars > 0) result.notes.push_back(std::to_string(g.new_scars) + " new scar(s): check acne activity");
  progress_step(progress, "done", 1.0);
  return result;
}

const char* change_status_name(ChangeStatus status) {
  switch (status) {
    case ChangeStatus::improved: return "improved";
    case ChangeStatus::stable: return "stable";
    case ChangeStatus::worse: return "worse";
    case ChangeStatus::new_scar: return "new";
    case ChangeStatus::resolved: return "resolved";
    case ChangeStatus::not_found: return "not_found";
  }
  return "stable";
}

ChangeStatus parse_change_status(const std::string& name) {
  for (const ChangeStatus status : {ChangeStatus::improved, ChangeStatus::stable, ChangeStatus::worse, ChangeStatus::new_scar,
                                    ChangeStatus::resolved, ChangeStatus::not_found}) {
    if (name == change_status_name(status)) return status;
  }
  throw InputError("'" + name + "' is not a change status (improved, stable, worse, new, resolved, not_found)",
                   ErrorCode::bad_input);
}

std::string describe_change(const ScarChange& change) {
  if (change.status == ChangeStatus::new_scar) return kNewScarNote;
  if (change.status == ChangeStatus::resolved) return "resolved: no longer measurable";
  if (change.status == ChangeStatus::not_found) return "outside the area both scans cover";
  const double pct = change.volume_change_pct;
  std::string amount;
  if (std::isfinite(pct)) {
    // Small changes keep their first digits ("0.12 % less volume" rather than "0 % less volume").
    const double magnitude = std::fabs(pct);
    amount = fixed(magnitude, magnitude < 1.0 ? 2 : (magnitude < 10.0 ? 1 : 0)) + " % " + (pct < 0 ? "less" : "more") +
             " volume";
  } else {
    amount = "volume changed by " + volume_text(change.volume_change_mm3) + " mm3";
  }
  if (change.status == ChangeStatus::improved || change.status == ChangeStatus::worse) {
    return amount + ", beyond measurement noise (MDC " + volume_text(change.volume_mdc_mm3) + " mm3)";
  }
  return amount + ", within measurement noise (MDC " + volume_text(change.volume_mdc_mm3) + " mm3): stable";
}

nlohmann::json comparison_to_json(const VisitComparison& comparison) {
  const Registration& reg = comparison.registration;
  const Quadratic& h = reg.height_pose;
  nlohmann::json registration = {
      {"shift_mm", {number_or_null(reg.transform.shift_mm[0], 4), number_or_null(reg.transform.shift_mm[1], 4)}},
      {"rotation_deg", number_or_null(reg.transform.rotation_deg, 4)},
      {"center_mm", {number_or_null(reg.transform.center_mm[0], 4), number_or_null(reg.transform.center_mm[1], 4)}},
      {"residual_um", number_or_null(reg.residual_um, 3)},
      {"overlap_fraction", number_or_null(reg.overlap_fraction, 4)},
      {"registered", reg.registered},
      {"correlation", number_or_null(reg.correlation, 4)},
      {"texture_correlation", number_or_null(reg.texture_correlation, 4)},
      {"unchanged_fraction", number_or_null(reg.unchanged_fraction, 4)},
      // Follow-up minus baseline height on unchanged skin, about center_mm (µm, mm).
      {"height_pose", {{"offset_um", number_or_null(h.at(reg.transform.center_mm[0], reg.transform.center_mm[1]), 3)},
                       {"tilt_um_per_mm",
                        {number_or_null(0.5 * (h.at(reg.transform.center_mm[0] + 1, reg.transform.center_mm[1]) -
                                               h.at(reg.transform.center_mm[0] - 1, reg.transform.center_mm[1])), 4),
                         number_or_null(0.5 * (h.at(reg.transform.center_mm[0], reg.transform.center_mm[1] + 1) -
                                               h.at(reg.transform.center_mm[0], reg.transform.center_mm[1] - 1)), 4)}},
                       {"curvature_um_per_mm2", {number_or_null(h.c[3], 5), number_or_null(h.c[4], 5),
                                                 number_or_null(h.c[5], 5)}}}}};
  if (!reg.registered) registration["problem"] = reg.problem;
  nlohmann::json scars = nlohmann::json::array();
  for (const ScarChange& c : comparison.scars) {
    scars.push_back({{"baseline_id", c.baseline_id ? nlohmann::json(*c.baseline_id) : nlohmann::json(nullptr)},
                     {"followup_id", c.followup_id ? nlohmann::json(*c.followup_id) : nlohmann::json(nullptr)},
                     {"baseline_centroid_mm", point_json(c.baseline_centroid_mm)},
                     {"followup_centroid_mm", point_json(c.followup_centroid_mm)},
                     // "analysis": the follow-up analysis listed it; "registration": mapped from the baseline.
                     {"followup_centroid_source", !c.followup_centroid_mm ? nlohmann::json(nullptr)
                                                  : c.followup_centroid_mapped ? nlohmann::json("registration")
                                                                               : nlohmann::json("analysis")},
                     {"type", c.type},
                     {"volume_mm3", {number_or_null(c.volume_mm3[0], 5), number_or_null(c.volume_mm3[1], 5)}},
                     {"volume_change_mm3", number_or_null(c.volume_change_mm3, 5)},
                     {"volume_change_pct", number_or_null(c.volume_change_pct, 2)},
                     {"volume_mdc_mm3", number_or_null(c.volume_mdc_mm3, 5)},
                     {"measured_volume_change_mm3", number_or_null(c.measured_volume_change_mm3, 5)},
                     {"depth_um", {number_or_null(c.depth_um[0], 2), number_or_null(c.depth_um[1], 2)}},
                     {"depth_change_um", number_or_null(c.depth_change_um, 2)},
                     {"depth_change_pct", number_or_null(c.depth_change_pct, 2)},
                     {"depth_mdc_um", number_or_null(c.depth_mdc_um, 2)},
                     {"area_mm2", {number_or_null(c.area_mm2[0], 4), number_or_null(c.area_mm2[1], 4)}},
                     {"area_change_pct", number_or_null(c.area_change_pct, 2)},
                     {"mdc_patches", c.mdc_patches},
                     {"mdc_independent_patches", number_or_null(c.mdc_independent_patches, 1)},
                     {"resampling_error_mm3", number_or_null(c.resampling_error_mm3, 6)},
                     {"resampling_bias_mm3", number_or_null(c.resampling_bias_mm3, 7)},
                     {"footprint_seen_fraction", number_or_null(c.seen_fraction, 4)},
                     {"footprint_relief_mm3", number_or_null(c.relief_mm3, 5)},
                     {"status", change_status_name(c.status)},
                     {"note", c.note}});
  }
  const GlobalChange& g = comparison.global;
  nlohmann::json global = {{"volume_change_pct", number_or_null(g.volume_change_pct, 2)},
                           {"count_baseline", g.count_baseline},
                           {"count_followup", g.count_followup},
                           {"volume_mm3", {number_or_null(g.volume_before_mm3, 5), number_or_null(g.volume_after_mm3, 5)}},
                           {"volume_mdc_mm3", number_or_null(g.volume_mdc_mm3, 5)},
                           {"scope", "depressed scars inside the overlap"},
                           {"status_counts",
                            {{"improved", g.improved},
                             {"stable", g.stable},
                             {"worse", g.worse},
                             {"new", g.new_scars},
                             {"resolved", g.resolved},
                             {"not_found", g.not_found}}}};
  return {{"registration", registration},
          {"scars", scars},
          {"global", global},
          {"mdc_source", comparison.mdc_source},
          {"notes", comparison.notes}};
}

}  // namespace scarscope
