#include "followup/registration.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>
#include <opencv2/video/tracking.hpp>
#include <locale>
#include <sstream>

#include "core/error.h"
#include "core/format.h"
#include "surface/height_range.h"
#include "surface/masked_low_pass.h"

namespace scarscope {

namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();

double radians(double degrees) { return degrees * kPi / 180.0; }

// A scan resampled onto an isotropic grid, form removed, holes filled, ready for ECC.
struct WorkSurface {
  cv::Mat smooth;  // CV_32F, no NaN
  cv::Mat mask;    // CV_8U, 1 where the skin is measured and usable
  double spacing_mm = 0.0;
};

// Heights with NaN replaced by 0, and a float weight 1 where valid and not excluded.
void to_weighted(const HeightMap& map, const std::vector<std::uint8_t>& excluded, cv::Mat& heights, cv::Mat& weight) {
  heights.create(map.ny(), map.nx(), CV_32F);
  weight.create(map.ny(), map.nx(), CV_32F);
  const float* h = map.heights();
  const std::uint8_t* m = map.mask();
  float* out_h = heights.ptr<float>();
  float* out_w = weight.ptr<float>();
  for (std::size_t i = 0; i < map.size(); ++i) {
    const bool keep = m[i] != 0 && std::isfinite(h[i]) && (excluded.empty() || excluded[i] == 0);
    out_h[i] = keep ? h[i] : 0.0f;
    out_w[i] = keep ? 1.0f : 0.0f;
  }
}

// Resamples weighted heights (spacing dx, dy mm) onto the isotropic grid of spacing s mm that covers
// the same extent from the same first sample; anti-aliased and normalised by the weight.
void resample_isotropic(const cv::Mat& heights, const cv::Mat& weight, double dx, double dy, double s, cv::Mat& out_heights,
                        cv::Mat& out_weight) {
  cv::Mat weighted = heights.mul(weight);
  cv::Mat w = weight.clone();
  const double sigma_x = s > 1.01 * dx ? 0.5 * s / dx : 0.0;
  const double sigma_y = s > 1.01 * dy ? 0.5 * s / dy : 0.0;
  if (sigma_x > 0.0 || sigma_y > 0.0) {
    cv::GaussianBlur(weighted, weighted, cv::Size(0, 0), std::max(sigma_x, 0.01), std::max(sigma_y, 0.01),
                     cv::BORDER_REFLECT);
    cv::GaussianBlur(w, w, cv::Size(0, 0), std::max(sigma_x, 0.01), std::max(sigma_y, 0.01), cv::BORDER_REFLECT);
  }
  const int cols = static_cast<int>(std::floor((heights.cols - 1) * dx / s + 1e-9)) + 1;
  const int rows = static_cast<int>(std::floor((heights.rows - 1) * dy / s + 1e-9)) + 1;
  cv::Mat map_x(rows, cols, CV_32F);
  cv::Mat map_y(rows, cols, CV_32F);
  for (int r = 0; r < rows; ++r) {
    float* mx = map_x.ptr<float>(r);
    float* my = map_y.ptr<float>(r);
    for (int c = 0; c < cols; ++c) {
      mx[c] = static_cast<float>(c * s / dx);
      my[c] = static_cast<float>(r * s / dy);
    }
  }
  cv::Mat sampled;
  cv::remap(weighted, sampled, map_x, map_y, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0));
  cv::remap(w, out_weight, map_x, map_y, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0));
  out_heights = cv::Mat::zeros(rows, cols, CV_32F);
  for (int r = 0; r < rows; ++r) {
    const float* a = sampled.ptr<float>(r);
    const float* b = out_weight.ptr<float>(r);
    float* o = out_heights.ptr<float>(r);
    for (int c = 0; c < cols; ++c) o[c] = b[c] > 1e-3f ? a[c] / b[c] : 0.0f;
  }
}

// Removes the degree-2 form over the usable points, fills the rest smoothly from the surroundings
// (normalised convolution, widening until everything is reached) and smooths for ECC.
WorkSurface prepare(const cv::Mat& heights, const cv::Mat& weight, double s, bool high_pass) {
  WorkSurface surface;
  surface.spacing_mm = s;
  surface.mask = weight > 0.5f;  // 255 / 0
  surface.mask.setTo(1, surface.mask);
  cv::Mat h = heights.clone();
  Quadratic form;
  if (fit_quadratic(h.ptr<float>(), surface.mask.ptr<std::uint8_t>(), h.cols, h.rows, s, s, 2, form)) {
    for (int r = 0; r < h.rows; ++r) {
      float* row = h.ptr<float>(r);
      for (int c = 0; c < h.cols; ++c) row[c] = static_cast<float>(row[c] - form.at(c * s, r * s));
    }
  }
  cv::Mat w;
  surface.mask.convertTo(w, CV_32F);
  h = h.mul(w);
  cv::Mat filled = h.clone();
  cv::Mat have = w.clone();
  // Up to 32 points away; what is further from any data is left at the form (0).
  for (double sigma = 2.0; sigma <= 32.0; sigma *= 2.0) {
    cv::Mat num, den;
    cv::GaussianBlur(h, num, cv::Size(0, 0), sigma, sigma, cv::BORDER_REFLECT);
    cv::GaussianBlur(w, den, cv::Size(0, 0), sigma, sigma, cv::BORDER_REFLECT);
    bool all = true;
    for (int r = 0; r < h.rows; ++r) {
      float* f = filled.ptr<float>(r);
      float* hv = have.ptr<float>(r);
      const float* n = num.ptr<float>(r);
      const float* d = den.ptr<float>(r);
      for (int c = 0; c < h.cols; ++c) {
        if (hv[c] > 0.5f) continue;
        if (d[c] > 1e-4f) {
          f[c] = n[c] / d[c];
          hv[c] = 1.0f;
        } else {
          all = false;
        }
      }
    }
    if (all) break;
  }
  // Registration follows the skin's texture: what is left of the form and the waviness (a curved
  // cheek is not a quadratic, and the two visits see it from different poses) is taken out with a
  // 1 mm Gaussian high-pass, and the rest is smoothed for ECC.
  // The coarse levels keep it: there the scars and the waviness are what can be matched.
  if (high_pass) {
    cv::Mat low;
    const double high_pass_px = std::max(4.0, 1.0 / s);
    cv::GaussianBlur(filled, low, cv::Size(0, 0), high_pass_px, high_pass_px, cv::BORDER_REFLECT);
    filled -= low;
  }
  cv::GaussianBlur(filled, surface.smooth, cv::Size(0, 0), 1.0, 1.0, cv::BORDER_REFLECT);
  return surface;
}

struct Pyramid {
  std::vector<WorkSurface> levels;  // 0 finest
};

Pyramid build_pyramid(const HeightMap& map, const std::vector<std::uint8_t>& excluded, double s0, int level_count) {
  cv::Mat h, w;
  to_weighted(map, excluded, h, w);
  cv::Mat h0, w0;
  resample_isotropic(h, w, map.dx_um() / 1000.0, map.dy_um() / 1000.0, s0, h0, w0);
  Pyramid pyramid;
  for (int k = 0; k < level_count; ++k) {
    const double s = s0 * std::pow(2.0, k);
    // Texture is matched on levels 0 and 1 (finer than ~0.1 mm where possible).
    const bool high_pass = k <= 1 && level_count > 2;
    if (k == 0) {
      pyramid.levels.push_back(prepare(h0, w0, s0, high_pass));
    } else {
      cv::Mat hk, wk;
      resample_isotropic(h0, w0, s0, s0, s, hk, wk);
      pyramid.levels.push_back(prepare(hk, wk, s, high_pass));
    }
  }
  return pyramid;
}

// Euclidean warp (rotation about the origin, translation in mm) as ECC's 2x3 pixel matrix.
cv::Mat warp_pixels(double theta_rad, const cv::Point2d& t_mm, double s) {
  cv::Mat warp(2, 3, CV_32F);
  warp.at<float>(0, 0) = static_cast<float>(std::cos(theta_rad));
  warp.at<float>(0, 1) = static_cast<float>(-std::sin(theta_rad));
  warp.at<float>(1, 0) = static_cast<float>(std::sin(theta_rad));
  warp.at<float>(1, 1) = static_cast<float>(std::cos(theta_rad));
  warp.at<float>(0, 2) = static_cast<float>(t_mm.x / s);
  warp.at<float>(1, 2) = static_cast<float>(t_mm.y / s);
  return warp;
}

struct Pose {
  double theta = 0.0;  // radians, about the origin
  cv::Point2d t_mm;    // x' = R x + t
  double correlation = -1.0;
};

Pose from_warp(const cv::Mat& warp, double s, double correlation) {
  Pose pose;
  pose.theta = std::atan2(static_cast<double>(warp.at<float>(1, 0)), static_cast<double>(warp.at<float>(0, 0)));
  pose.t_mm = {warp.at<float>(0, 2) * s, warp.at<float>(1, 2) * s};
  pose.correlation = correlation;
  return pose;
}

// One ECC run at one level; returns the pose and its correlation (-1 when ECC gave up).
Pose refine(const WorkSurface& baseline, const WorkSurface& followup, const Pose& start, int iterations) {
  cv::Mat warp = warp_pixels(start.theta, start.t_mm, baseline.spacing_mm);
  try {
    const double cc = cv::findTransformECC(baseline.smooth, followup.smooth, warp, cv::MOTION_EUCLIDEAN,
                                           cv::TermCriteria(cv::TermCriteria::COUNT | cv::TermCriteria::EPS,
                                                            iterations, 1e-6),
                                           followup.mask, 3);
    if (!std::isfinite(cc)) return Pose{start.theta, start.t_mm, -1.0};
    return from_warp(warp, baseline.spacing_mm, cc);
  } catch (const cv::Exception&) {
    return Pose{start.theta, start.t_mm, -1.0};
  }
}

// Coarse search over rotations with phase correlation for the shift; the best few candidates.
std::vector<Pose> coarse_candidates(const WorkSurface& baseline, const WorkSurface& followup,
                                    const cv::Point2d& center_mm, double max_rotation_deg) {
  const double s = baseline.spacing_mm;
  const int rows = std::max(baseline.smooth.rows, followup.smooth.rows);
  const int cols = std::max(baseline.smooth.cols, followup.smooth.cols);
  cv::Mat b, f;
  cv::copyMakeBorder(baseline.smooth, b, 0, rows - baseline.smooth.rows, 0, cols - baseline.smooth.cols,
                     cv::BORDER_CONSTANT, cv::Scalar(0));
  cv::copyMakeBorder(followup.smooth, f, 0, rows - followup.smooth.rows, 0, cols - followup.smooth.cols,
                     cv::BORDER_CONSTANT, cv::Scalar(0));
  cv::Mat window;
  cv::createHanningWindow(window, cv::Size(cols, rows), CV_32F);
  const cv::Point2d c(center_mm.x / s, center_mm.y / s);
  struct Scored {
    double theta;
    cv::Point2d v;
    double response;
  };
  std::vector<Scored> scored;
  const double step = 1.0;
  // (A half-turn either way covers every rotation: a larger limit is no reason to search longer.)
  const double limit = std::clamp(max_rotation_deg, 0.0, 180.0);
  for (double deg = -limit; deg <= limit + 1e-9; deg += step) {
    const double th = radians(deg);
    // G(x) = F(R (x − c) + c): the follow-up turned back, so that only a shift remains.
    cv::Mat m(2, 3, CV_64F);
    m.at<double>(0, 0) = std::cos(th);
    m.at<double>(0, 1) = -std::sin(th);
    m.at<double>(1, 0) = std::sin(th);
    m.at<double>(1, 1) = std::cos(th);
    m.at<double>(0, 2) = c.x - (std::cos(th) * c.x - std::sin(th) * c.y);
    m.at<double>(1, 2) = c.y - (std::sin(th) * c.x + std::cos(th) * c.y);
    cv::Mat g;
    cv::warpAffine(f, g, m, f.size(), cv::INTER_LINEAR | cv::WARP_INVERSE_MAP, cv::BORDER_CONSTANT, cv::Scalar(0));
    double response = 0.0;
    // A copy: OpenCV 4.6 multiplies its inputs by the window in place when their size is already
    // DFT-friendly (125 x 125, say), which would fade the baseline a little more at every angle.
    const cv::Point2d v = cv::phaseCorrelate(b.clone(), g, window, &response);
    scored.push_back({th, v, response});
  }
  std::sort(scored.begin(), scored.end(), [](const Scored& a, const Scored& b2) { return a.response > b2.response; });
  std::vector<Pose> poses;
  for (std::size_t i = 0; i < scored.size() && i < 3; ++i) {
    const double th = scored[i].theta;
    const double ct = std::cos(th), st = std::sin(th);
    // The shift about the centre is u = ±R v (the sign convention of phaseCorrelate is tried both ways);
    // about the origin t = c − R c + u.
    for (double sign : {1.0, -1.0}) {
      const cv::Point2d v = scored[i].v * sign;
      const cv::Point2d u(ct * v.x - st * v.y, st * v.x + ct * v.y);
      const cv::Point2d t(c.x - (ct * c.x - st * c.y) + u.x, c.y - (st * c.x + ct * c.y) + u.y);
      poses.push_back(Pose{th, t * s, -1.0});
    }
  }
  return poses;
}

// Where a baseline grid point (col, row) lands in the follow-up's pixel grid.
struct GridMapping {
  cv::Mat map_x, map_y;
};

GridMapping baseline_to_followup_pixels(const HeightMap& baseline, const HeightMap& followup, const Pose& pose) {
  GridMapping mapping;
  mapping.map_x.create(baseline.ny(), baseline.nx(), CV_32F);
  mapping.map_y.create(baseline.ny(), baseline.nx(), CV_32F);
  const double bdx = baseline.dx_um() / 1000.0, bdy = baseline.dy_um() / 1000.0;
  const double fdx = followup.dx_um() / 1000.0, fdy = followup.dy_um() / 1000.0;
  const double ct = std::cos(pose.theta), st = std::sin(pose.theta);
  for (int r = 0; r < baseline.ny(); ++r) {
    float* mx = mapping.map_x.ptr<float>(r);
    float* my = mapping.map_y.ptr<float>(r);
    const double y = r * bdy;
    for (int c = 0; c < baseline.nx(); ++c) {
      const double x = c * bdx;
      mx[c] = static_cast<float>((ct * x - st * y + pose.t_mm.x) / fdx);
      my[c] = static_cast<float>((st * x + ct * y + pose.t_mm.y) / fdy);
    }
  }
  return mapping;
}

// Where a follow-up grid point lands in the baseline's pixel grid.
GridMapping followup_to_baseline_pixels(const HeightMap& baseline, const HeightMap& followup, const Pose& pose) {
  GridMapping mapping;
  mapping.map_x.create(followup.ny(), followup.nx(), CV_32F);
  mapping.map_y.create(followup.ny(), followup.nx(), CV_32F);
  const double bdx = baseline.dx_um() / 1000.0, bdy = baseline.dy_um() / 1000.0;
  const double fdx = followup.dx_um() / 1000.0, fdy = followup.dy_um() / 1000.0;
  const double ct = std::cos(pose.theta), st = std::sin(pose.theta);
  for (int r = 0; r < followup.ny(); ++r) {
    float* mx = mapping.map_x.ptr<float>(r);
    float* my = mapping.map_y.ptr<float>(r);
    for (int c = 0; c < followup.nx(); ++c) {
      const double x = c * fdx - pose.t_mm.x, y = r * fdy - pose.t_mm.y;
      mx[c] = static_cast<float>((ct * x + st * y) / bdx);
      my[c] = static_cast<float>((-st * x + ct * y) / bdy);
    }
  }
  return mapping;
}

double robust_sigma(const cv::Mat& values, const cv::Mat& keep) {
  std::vector<float> samples;
  const int step = std::max(1, static_cast<int>(std::sqrt(static_cast<double>(cv::countNonZero(keep)) / 200000.0)));
  for (int r = 0; r < values.rows; r += step) {
    const float* v = values.ptr<float>(r);
    const std::uint8_t* k = keep.ptr<std::uint8_t>(r);
    for (int c = 0; c < values.cols; c += step)
      if (k[c]) samples.push_back(v[c]);
  }
  if (samples.size() < 10) return 0.0;
  auto mid = samples.begin() + static_cast<std::ptrdiff_t>(samples.size() / 2);
  std::nth_element(samples.begin(), mid, samples.end());
  const float median = *mid;
  for (float& x : samples) x = std::fabs(x - median);
  std::nth_element(samples.begin(), mid, samples.end());
  return 1.4826 * static_cast<double>(*mid);
}

struct Comparison {
  cv::Mat followup_aligned;  // follow-up heights on the baseline grid (in-plane pose undone), 0 where invalid
  cv::Mat overlap;           // CV_8U: baseline and follow-up both valid
  cv::Mat difference;        // corrected difference, valid on overlap
  cv::Mat pose_residual;     // the difference before the slow residual (its low-pass) was taken out
  cv::Mat unchanged;         // CV_8U
  cv::Mat changed;           // CV_8U: coherent change found (beyond the excluded scars)
  cv::Mat scars;             // CV_8U: the scar outlines of both analyses, on the baseline grid
  Quadratic height_pose;
  double residual_um = 0.0;
  double texture_correlation = 0.0;
};

// Pearson correlation of the fine texture (what a 0.3 mm Gaussian removes) of the baseline and the
// aligned follow-up on the unchanged skin (`keep`): near 1 for the same skin, near 0 for other skin.
// Each scan's own form (a quadratic fitted on that skin) is taken out first and only that skin is
// blurred: the blur of a masked surface is a weighted mean, which at the edge of a hole (dropouts,
// the scan's edge, a scar's missing walls) lies off-centre, by the slope × the offset. On a form
// tilted 10 deg that is tens of um, more than the texture itself, and it differs between two visits
// seen from different angles; scars, which changed, would bleed into their neighbours' texture too.
double texture_correlation(const HeightMap& baseline, const cv::Mat& aligned, const cv::Mat& keep) {
  const double bdx = baseline.dx_um() / 1000.0, bdy = baseline.dy_um() / 1000.0;
  const double sx = std::max(1.0, 0.3 / bdx), sy = std::max(1.0, 0.3 / bdy);
  Quadratic baseline_form, followup_form;
  if (!fit_quadratic(baseline.heights(), keep.ptr<std::uint8_t>(), keep.cols, keep.rows, bdx, bdy, 2, baseline_form) ||
      !fit_quadratic(aligned.ptr<float>(), keep.ptr<std::uint8_t>(), keep.cols, keep.rows, bdx, bdy, 2, followup_form)) {
    return 0.0;
  }
  cv::Mat b = cv::Mat::zeros(aligned.size(), CV_32F), fa = cv::Mat::zeros(aligned.size(), CV_32F), w;
  keep.convertTo(w, CV_32F);
  for (int r = 0; r < b.rows; ++r) {
    const std::uint8_t* k = keep.ptr<std::uint8_t>(r);
    const float* a = aligned.ptr<float>(r);
    float* bo = b.ptr<float>(r);
    float* fo = fa.ptr<float>(r);
    for (int c = 0; c < b.cols; ++c) {
      if (!k[c]) continue;
      bo[c] = static_cast<float>(baseline.height(r, c) - baseline_form.at(c * bdx, r * bdy));
      fo[c] = static_cast<float>(a[c] - followup_form.at(c * bdx, r * bdy));
    }
  }
  cv::Mat wb, bb, fb;
  cv::GaussianBlur(w, wb, cv::Size(0, 0), sx, sy, cv::BORDER_REFLECT);
  cv::GaussianBlur(b, bb, cv::Size(0, 0), sx, sy, cv::BORDER_REFLECT);
  cv::GaussianBlur(fa, fb, cv::Size(0, 0), sx, sy, cv::BORDER_REFLECT);
  double sbb = 0, sff = 0, sbf = 0, sb = 0, sf = 0;
  double n = 0;
  for (int r = 0; r < b.rows; ++r)
    for (int c = 0; c < b.cols; ++c) {
      if (!keep.at<std::uint8_t>(r, c)) continue;
      const double weight = wb.at<float>(r, c);
      if (weight < 0.5) continue;
      const double hb = b.at<float>(r, c) - bb.at<float>(r, c) / weight;
      const double hf = fa.at<float>(r, c) - fb.at<float>(r, c) / weight;
      sb += hb;
      sf += hf;
      sbb += hb * hb;
      sff += hf * hf;
      sbf += hb * hf;
      n += 1;
    }
  if (n < 100) return 0.0;
  const double vb = sbb / n - (sb / n) * (sb / n), vf = sff / n - (sf / n) * (sf / n);
  if (vb <= 0 || vf <= 0) return 0.0;
  return (sbf / n - (sb / n) * (sf / n)) / std::sqrt(vb * vf);
}

// The slow residual of the pose: the masked low-pass (surface/masked_low_pass.h) of `values` over the
// points where keep != 0; 0 where less than 2 % of a neighbourhood's weight is kept skin (no
// estimate there: the quadratic pose stands alone).
constexpr float kLowPassMinWeight = 0.02f;

cv::Mat masked_low_pass(const cv::Mat& values, const cv::Mat& keep, double sigma_x_px, double sigma_y_px) {
  cv::Mat w;
  keep.convertTo(w, CV_32F);
  w.setTo(1.0f, keep);
  const cv::Mat num = values.mul(w);
  cv::Mat low(values.size(), CV_32F);
  scarscope::masked_low_pass(num.ptr<float>(0), w.ptr<float>(0), values.cols, values.rows, sigma_x_px, sigma_y_px,
                             kLowPassMinWeight, low.ptr<float>(0));
  return low;
}

// The height comparison on the baseline's grid for a given in-plane pose.
Comparison compare_heights(const HeightMap& baseline, const HeightMap& followup, const Pose& pose,
                           const std::vector<std::uint8_t>& baseline_excluded, const RegistrationOptions& options) {
  const double bdx = baseline.dx_um() / 1000.0, bdy = baseline.dy_um() / 1000.0;
  cv::Mat fh, fw;
  to_weighted(followup, {}, fh, fw);
  // A finer follow-up is smoothed to the baseline's spacing before it is sampled.
  const double sx = 0.5 * bdx / (followup.dx_um() / 1000.0), sy = 0.5 * bdy / (followup.dy_um() / 1000.0);
  cv::Mat fhw = fh.mul(fw);
  if (sx > 0.6 || sy > 0.6) {
    cv::GaussianBlur(fhw, fhw, cv::Size(0, 0), std::max(sx, 0.01), std::max(sy, 0.01), cv::BORDER_REFLECT);
    cv::GaussianBlur(fw, fw, cv::Size(0, 0), std::max(sx, 0.01), std::max(sy, 0.01), cv::BORDER_REFLECT);
  }
  const GridMapping mapping = baseline_to_followup_pixels(baseline, followup, pose);
  // Bicubic sampling: bilinear interpolation would make every pit look shallower than it is (it
  // lies above a curved floor), a bias of the same order as the noise on small scars. A point is
  // kept where its whole 4 x 4 neighbourhood is valid (the linear weight of the eroded mask is 1).
  cv::Mat sampled, weight, cubic_weight, eroded;
  cv::erode(fw, eroded, cv::getStructuringElement(cv::MORPH_RECT, cv::Size(3, 3)), cv::Point(-1, -1), 1,
            cv::BORDER_CONSTANT, cv::Scalar(0));
  cv::remap(fhw, sampled, mapping.map_x, mapping.map_y, cv::INTER_CUBIC, cv::BORDER_CONSTANT, cv::Scalar(0));
  cv::remap(fw, cubic_weight, mapping.map_x, mapping.map_y, cv::INTER_CUBIC, cv::BORDER_CONSTANT, cv::Scalar(0));
  cv::remap(eroded, weight, mapping.map_x, mapping.map_y, cv::INTER_LINEAR, cv::BORDER_CONSTANT, cv::Scalar(0));

  Comparison result;
  const int rows = baseline.ny(), cols = baseline.nx();
  result.followup_aligned = cv::Mat::zeros(rows, cols, CV_32F);
  result.overlap = cv::Mat::zeros(rows, cols, CV_8U);
  cv::Mat raw = cv::Mat::zeros(rows, cols, CV_32F);
  // Follow-up scars, brought into baseline coordinates.
  std::vector<OutlineMm> followup_scars;
  {
    const double ct = std::cos(pose.theta), st = std::sin(pose.theta);
    for (const OutlineMm& outline : options.followup_scars) {
      OutlineMm mapped;
      for (const auto& p : outline) {
        const double x = p[0] - pose.t_mm.x, y = p[1] - pose.t_mm.y;
        mapped.push_back({ct * x + st * y, -st * x + ct * y});
      }
      followup_scars.push_back(std::move(mapped));
    }
  }
  const std::vector<std::uint8_t> followup_excluded =
      rasterize_outlines(followup_scars, cols, rows, bdx, bdy, options.scar_margin_mm);
  cv::Mat keep_base = cv::Mat::zeros(rows, cols, CV_8U);
  result.scars = cv::Mat::zeros(rows, cols, CV_8U);
  for (std::size_t i = 0; i < baseline.size(); ++i) {
    result.scars.data[i] = (!baseline_excluded.empty() && baseline_excluded[i]) || followup_excluded[i];
  }
  for (int r = 0; r < rows; ++r) {
    const float* s = sampled.ptr<float>(r);
    const float* w = weight.ptr<float>(r);
    const float* cw = cubic_weight.ptr<float>(r);
    float* a = result.followup_aligned.ptr<float>(r);
    float* d = raw.ptr<float>(r);
    std::uint8_t* o = result.overlap.ptr<std::uint8_t>(r);
    std::uint8_t* k = keep_base.ptr<std::uint8_t>(r);
    for (int c = 0; c < cols; ++c) {
      if (w[c] < 0.99f || !baseline.valid(r, c)) continue;
      a[c] = s[c] / std::max(cw[c], 0.5f);
      d[c] = a[c] - baseline.height(r, c);
      o[c] = 1;
      const std::size_t i = baseline.index(r, c);
      k[c] = (baseline_excluded.empty() || !baseline_excluded[i]) && !followup_excluded[i];
    }
  }
  // Robust quadratic of the difference: the height pose. Points that changed coherently (scars
  // the analyses did not list, or changed beyond their outlines) are found and left out.
  cv::Mat keep = keep_base.clone();
  cv::Mat residual(rows, cols, CV_32F);
  result.changed = cv::Mat::zeros(rows, cols, CV_8U);
  const double smooth_sigma_px_x = std::max(1.0, 0.25 / bdx), smooth_sigma_px_y = std::max(1.0, 0.25 / bdy);
  const double reference_sigma_px_x = options.local_reference_mm / bdx, reference_sigma_px_y = options.local_reference_mm / bdy;
  const int grow_x = static_cast<int>(std::ceil(0.2 / bdx)), grow_y = static_cast<int>(std::ceil(0.2 / bdy));
  const cv::Mat grow = cv::getStructuringElement(cv::MORPH_ELLIPSE, cv::Size(2 * grow_x + 1, 2 * grow_y + 1));
  for (int iteration = 0; iteration < 4; ++iteration) {
    if (!fit_quadratic(raw.ptr<float>(), keep.ptr<std::uint8_t>(), cols, rows, bdx, bdy, 2, result.height_pose)) {
      if (!fit_quadratic(raw.ptr<float>(), result.overlap.ptr<std::uint8_t>(), cols, rows, bdx, bdy, 2,
                         result.height_pose)) {
        result.height_pose = Quadratic{};
      }
    }
    for (int r = 0; r < rows; ++r) {
      const float* d = raw.ptr<float>(r);
      float* e = residual.ptr<float>(r);
      const std::uint8_t* o = result.overlap.ptr<std::uint8_t>(r);
      for (int c = 0; c < cols; ++c)
        e[c] = o[c] ? static_cast<float>(d[c] - result.height_pose.at(c * bdx, r * bdy)) : 0.0f;
    }
    // What the quadratic leaves of the pose (a curved cheek seen from another angle is not a
    // quadratic) varies slowly: it is taken out as the low-pass of the unchanged skin's difference,
    // interpolated under the scars from the skin around them.
    const cv::Mat low = masked_low_pass(residual, keep, reference_sigma_px_x, reference_sigma_px_y);
    if (iteration == 3) result.pose_residual = residual.clone();
    residual -= low;
    residual.setTo(0.0f, result.overlap == 0);
    if (iteration == 3) break;
    cv::Mat ov_f, num, den;
    result.overlap.convertTo(ov_f, CV_32F);
    cv::GaussianBlur(residual, num, cv::Size(0, 0), smooth_sigma_px_x, smooth_sigma_px_y, cv::BORDER_REFLECT);
    cv::GaussianBlur(ov_f, den, cv::Size(0, 0), smooth_sigma_px_x, smooth_sigma_px_y, cv::BORDER_REFLECT);
    cv::Mat smoothed = num / cv::max(den, 1e-3);
    const double sigma_point = robust_sigma(residual, keep);
    const double sigma_smooth = robust_sigma(smoothed, keep);
    result.changed = cv::Mat::zeros(rows, cols, CV_8U);
    for (int r = 0; r < rows; ++r) {
      const float* e = residual.ptr<float>(r);
      const float* sm = smoothed.ptr<float>(r);
      const std::uint8_t* o = result.overlap.ptr<std::uint8_t>(r);
      std::uint8_t* ch = result.changed.ptr<std::uint8_t>(r);
      for (int c = 0; c < cols; ++c) {
        ch[c] = o[c] && (std::fabs(sm[c]) > 4.0 * sigma_smooth || std::fabs(e[c]) > 6.0 * sigma_point);
      }
    }
    cv::dilate(result.changed, result.changed, grow);
    keep = keep_base & (result.changed == 0);
    keep.setTo(1, keep);
  }
  result.difference = residual;
  result.unchanged = keep;
  double sum = 0.0;
  std::size_t count = 0;
  for (int r = 0; r < rows; ++r) {
    const float* e = residual.ptr<float>(r);
    const std::uint8_t* k = keep.ptr<std::uint8_t>(r);
    for (int c = 0; c < cols; ++c)
      if (k[c]) {
        sum += static_cast<double>(e[c]) * e[c];
        ++count;
      }
  }
  result.residual_um = count ? std::sqrt(sum / static_cast<double>(count)) : std::numeric_limits<double>::infinity();
  result.texture_correlation = texture_correlation(baseline, result.followup_aligned, keep);
  return result;
}

double baseline_roughness(const HeightMap& baseline, const std::vector<std::uint8_t>& excluded) {
  std::vector<std::uint8_t> keep(baseline.size());
  for (std::size_t i = 0; i < keep.size(); ++i)
    keep[i] = baseline.mask()[i] && std::isfinite(baseline.heights()[i]) && (excluded.empty() || !excluded[i]);
  Quadratic form;
  const double dx = baseline.dx_um() / 1000.0, dy = baseline.dy_um() / 1000.0;
  if (!fit_quadratic(baseline.heights(), keep.data(), baseline.nx(), baseline.ny(), dx, dy, 2, form)) return 0.0;
  double sum = 0.0;
  std::size_t count = 0;
  for (int r = 0; r < baseline.ny(); ++r)
    for (int c = 0; c < baseline.nx(); ++c) {
      if (!keep[baseline.index(r, c)]) continue;
      const double e = baseline.height(r, c) - form.at(c * dx, r * dy);
      sum += e * e;
      ++count;
    }
  return count ? std::sqrt(sum / static_cast<double>(count)) : 0.0;
}

std::string format(double value, int decimals) { return fixed_decimal(value, decimals); }

void check_registrable(const HeightMap& map, const char* which) {
  if (map.empty()) throw InputError(std::string("the ") + which + " scan is empty", ErrorCode::bad_input, which);
  if (map.valid_count() < 1000) {
    throw InputError(std::string("the ") + which + " scan has only " + std::to_string(map.valid_count()) +
                         " valid points; at least 1000 are needed to register it",
                     ErrorCode::out_of_range, which);
  }
  // Heights no skin has are refused before anything is sized or fitted by them.
  check_height_range(map);
}

}  // namespace

std::array<double, 2> RigidTransform::to_followup(const std::array<double, 2>& p) const {
  const double th = radians(rotation_deg);
  const double x = p[0] - center_mm[0], y = p[1] - center_mm[1];
  return {std::cos(th) * x - std::sin(th) * y + center_mm[0] + shift_mm[0],
          std::sin(th) * x + std::cos(th) * y + center_mm[1] + shift_mm[1]};
}

std::array<double, 2> RigidTransform::to_baseline(const std::array<double, 2>& p) const {
  const double th = radians(rotation_deg);
  const double x = p[0] - shift_mm[0] - center_mm[0], y = p[1] - shift_mm[1] - center_mm[1];
  return {std::cos(th) * x + std::sin(th) * y + center_mm[0], -std::sin(th) * x + std::cos(th) * y + center_mm[1]};
}

Registration register_followup(const HeightMap& baseline, const HeightMap& followup, const RegistrationOptions& options,
                               const Progress* progress) {
  progress_step(progress, "registration", 0.0);
  check_registrable(baseline, "baseline");
  check_registrable(followup, "follow-up");
  const double bdx = baseline.dx_um() / 1000.0, bdy = baseline.dy_um() / 1000.0;
  const double extent = std::max({baseline.nx() * bdx, baseline.ny() * bdy, followup.nx() * followup.dx_um() / 1000.0,
                                  followup.ny() * followup.dy_um() / 1000.0});
  // The finest level: the coarser of the two scans' spacings, and at most ~1000 points across.
  const double s0 = std::max({bdx, bdy, followup.dx_um() / 1000.0, followup.dy_um() / 1000.0, extent / 1000.0});
  int level_count = 1;
  while (extent / (s0 * std::pow(2.0, level_count - 1)) > 160.0 && level_count < 8) ++level_count;

  const std::vector<std::uint8_t> baseline_scars =
      rasterize_outlines(options.baseline_scars, baseline.nx(), baseline.ny(), bdx, bdy, options.scar_margin_mm);

  Registration result;
  // The centre of the scanned area (n × spacing / 2), as `scarscope synth` states its poses.
  const cv::Point2d center_mm(0.5 * baseline.nx() * bdx, 0.5 * baseline.ny() * bdy);
  result.transform.center_mm = {center_mm.x, center_mm.y};

  // First pass on everything measured: the pose, good enough to see what changed.
  const int top = level_count - 1;
  Pose pose;
  {
    const Pyramid b = build_pyramid(baseline, {}, s0, level_count);
    const Pyramid f = build_pyramid(followup, {}, s0, level_count);
    progress_step(progress, "registration: rotation search", 0.15);
    // Coarsest level: try the best rotations of the search and keep the one ECC likes most.
    pose.correlation = -2.0;  // any ECC result, even a failed one (-1), replaces it
    for (const Pose& candidate : coarse_candidates(b.levels[static_cast<std::size_t>(top)],
                                                   f.levels[static_cast<std::size_t>(top)], center_mm,
                                                   options.max_rotation_deg)) {
      progress_step(progress, "registration: rotation search", 0.2);
      const Pose refined =
          refine(b.levels[static_cast<std::size_t>(top)], f.levels[static_cast<std::size_t>(top)], candidate, 60);
      if (refined.correlation > pose.correlation) pose = refined;
    }
    for (int k = top - 1; k >= 0; --k) {
      progress_step(progress, "registration: refining", 0.3);
      const Pose refined = refine(b.levels[static_cast<std::size_t>(k)], f.levels[static_cast<std::size_t>(k)], pose, 60);
      if (refined.correlation >= 0.0) pose = refined;
    }
  }
  progress_step(progress, "registration: heights", 0.4);
  Comparison comparison = compare_heights(baseline, followup, pose, baseline_scars, options);
  progress_step(progress, "registration: skin only", 0.55);

  // Second pass on the skin only: the scars of both analyses and every region that changed are left
  // out of both scans at the same places (each scan is filled in smoothly there), so that the
  // registration follows the skin, not the scars' change. Analyses that claim most of the overlap
  // as scars are not trusted for this.
  {
    cv::Mat excluded = comparison.scars.clone();
    const double overlap_points = std::max(1, cv::countNonZero(comparison.overlap));
    if (cv::countNonZero(excluded & comparison.overlap) > 0.5 * overlap_points) excluded.setTo(0);
    excluded |= comparison.changed;
    std::vector<std::uint8_t> baseline_excluded(excluded.datastart, excluded.dataend);
    const GridMapping back = followup_to_baseline_pixels(baseline, followup, pose);
    cv::Mat on_followup;
    cv::remap(excluded, on_followup, back.map_x, back.map_y, cv::INTER_NEAREST, cv::BORDER_CONSTANT, cv::Scalar(0));
    std::vector<std::uint8_t> followup_excluded(on_followup.datastart, on_followup.dataend);
    const Pyramid b = build_pyramid(baseline, baseline_excluded, s0, level_count);
    const Pyramid f = build_pyramid(followup, followup_excluded, s0, level_count);
    for (int k = std::min(1, top); k >= 0; --k) {
      progress_step(progress, "registration: skin only", 0.7);
      const Pose refined = refine(b.levels[static_cast<std::size_t>(k)], f.levels[static_cast<std::size_t>(k)], pose,
                                  k == 0 ? 100 : 60);
      if (refined.correlation >= 0.0) pose = refined;
      else if (k == 0) pose.correlation = -1.0;
    }
    progress_step(progress, "registration: heights", 0.85);
    comparison = compare_heights(baseline, followup, pose, baseline_scars, options);
  }

  // The pose about the centre, in the DESIGN convention.
  const double ct = std::cos(pose.theta), st = std::sin(pose.theta);
  result.transform.rotation_deg = pose.theta * 180.0 / kPi;
  result.transform.shift_mm = {pose.t_mm.x - center_mm.x + (ct * center_mm.x - st * center_mm.y),
                               pose.t_mm.y - center_mm.y + (st * center_mm.x + ct * center_mm.y)};
  result.correlation = pose.correlation;
  result.texture_correlation = comparison.texture_correlation;
  result.height_pose = comparison.height_pose;
  result.residual_um = comparison.residual_um;

  const std::size_t baseline_valid = baseline.valid_count();
  const std::size_t overlap_count = static_cast<std::size_t>(cv::countNonZero(comparison.overlap));
  const std::size_t unchanged_count = static_cast<std::size_t>(cv::countNonZero(comparison.unchanged));
  result.overlap_fraction = baseline_valid ? static_cast<double>(overlap_count) / static_cast<double>(baseline_valid) : 0.0;
  // Of the skin outside the scars, the part that did not change (the scars themselves may all have).
  const std::size_t skin_count = static_cast<std::size_t>(cv::countNonZero(comparison.overlap & (comparison.scars == 0)));
  result.unchanged_fraction = skin_count >= 1000 ? static_cast<double>(unchanged_count) / static_cast<double>(skin_count)
                              : overlap_count   ? static_cast<double>(unchanged_count) / static_cast<double>(overlap_count)
                                                : 0.0;
  result.roughness_um = baseline_roughness(baseline, rasterize_outlines(options.baseline_scars, baseline.nx(),
                                                                        baseline.ny(), bdx, bdy,
                                                                        options.scar_margin_mm));

  // Fill the outputs on the baseline grid.
  result.followup_on_baseline = HeightMap(baseline.nx(), baseline.ny(), baseline.dx_um(), baseline.dy_um());
  result.difference = HeightMap(baseline.nx(), baseline.ny(), baseline.dx_um(), baseline.dy_um());
  result.followup_on_baseline.metadata.source_format = "followup_registered";
  result.difference.metadata.source_format = "followup_difference";
  result.pose_residual = HeightMap(baseline.nx(), baseline.ny(), baseline.dx_um(), baseline.dy_um());
  result.local_reference_mm = options.local_reference_mm;
  result.unchanged_skin.assign(baseline.size(), 0);
  for (int r = 0; r < baseline.ny(); ++r) {
    const std::uint8_t* o = comparison.overlap.ptr<std::uint8_t>(r);
    const std::uint8_t* k = comparison.unchanged.ptr<std::uint8_t>(r);
    const float* d = comparison.difference.ptr<float>(r);
    for (int c = 0; c < baseline.nx(); ++c) {
      if (!o[c]) {
        result.followup_on_baseline.set(r, c, kNaN);
        result.difference.set(r, c, kNaN);
        result.pose_residual.set(r, c, kNaN);
        continue;
      }
      result.pose_residual.set(r, c, comparison.pose_residual.at<float>(r, c));
      result.followup_on_baseline.set(r, c, baseline.height(r, c) + d[c]);
      result.difference.set(r, c, d[c]);
      result.unchanged_skin[baseline.index(r, c)] = k[c];
    }
  }

  // Do the scans show the same skin? The texture must correlate and the difference must be far
  // below what two unrelated patches of this skin would give.
  const double unrelated = std::sqrt(2.0) * result.roughness_um;
  std::string why;
  if (overlap_count < 1000) {
    why = "the follow-up does not overlap the baseline (" + format(100.0 * result.overlap_fraction, 1) + " % overlap)";
  } else if (result.correlation < options.min_correlation ||
             result.texture_correlation < options.min_texture_correlation) {
    why = "the skin texture does not correlate (correlation " +
          format(std::max(std::min(result.correlation, result.texture_correlation), 0.0), 2) + ", at least " +
          format(std::max(options.min_correlation, options.min_texture_correlation), 2) + " needed)";
  } else if (unrelated > 0.0 && result.residual_um > options.max_residual_to_roughness * unrelated) {
    why = "the residual height difference on the skin is " + format(result.residual_um, 1) +
          " um RMS, close to the " + format(unrelated, 1) + " um two unrelated patches of this skin would give";
  } else if (result.unchanged_fraction < options.min_unchanged_fraction) {
    why = "only " + format(100.0 * result.unchanged_fraction, 0) +
          " % of the overlap looks unchanged, too little to be the same skin";
  }
  result.registered = why.empty();
  if (!result.registered) {
    result.problem = "the scans do not show the same skin: " + why + " (residual " + format(result.residual_um, 1) +
                     " um RMS); no change is reported";
  }
  progress_step(progress, "registration", 1.0);
  return result;
}

HoldOutDifference::HoldOutDifference(const Registration& registration) : registration_(&registration) {
  const HeightMap& residual = registration.pose_residual;
  nx_ = residual.nx();
  ny_ = residual.ny();
  if (residual.empty() || registration.unchanged_skin.size() != residual.size()) return;
  const double dx = residual.dx_um() / 1000.0, dy = residual.dy_um() / 1000.0;
  // The same low-pass as the registration's own (masked_low_pass above), kept as sums.
  sums_ = MaskedLowPassSums(
      plan_masked_low_pass(nx_, ny_, registration.local_reference_mm / dx, registration.local_reference_mm / dy));
  for (int r = 0; r < ny_; ++r)
    for (int c = 0; c < nx_; ++c) {
      const std::size_t i = residual.index(r, c);
      if (residual.mask()[i] && registration.unchanged_skin[i]) sums_.add(r, c, residual.heights()[i], 1.0f);
    }
  hold_out({});
}

void HoldOutDifference::hold_out(const std::vector<std::size_t>& points) {
  if (sums_.empty()) return;
  const HeightMap& residual = registration_->pose_residual;
  MaskedLowPassSums held = sums_;  // each set is held out of the full sums
  for (const std::size_t i : points) {
    if (i >= residual.size() || !residual.mask()[i] || !registration_->unchanged_skin[i]) continue;
    const int r = static_cast<int>(i / static_cast<std::size_t>(nx_)), c = static_cast<int>(i % static_cast<std::size_t>(nx_));
    held.add(r, c, -residual.heights()[i], -1.0f);
  }
  low_ = held.coarse_low_pass(kLowPassMinWeight);
}

float HoldOutDifference::at(int row, int col) const {
  const HeightMap& residual = registration_->pose_residual;
  const std::size_t i = residual.index(row, col);
  if (!residual.mask()[i]) return std::numeric_limits<float>::quiet_NaN();
  if (low_.empty()) return residual.heights()[i];
  return residual.heights()[i] - sums_.sample(low_, row, col);
}

}  // namespace scarscope
