#include "synth/synthetic_skin.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>
#include <opencv2/core.hpp>

#include "core/error.h"
#include "core/random.h"

namespace scarscope::synth {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr double kDegree = kPi / 180.0;
// Pores and the skin are drawn beyond the baseline scan by this much, so a follow-up that looks
// a few mm aside still sees skin with pores.
constexpr double kSkinMarginMm = 10.0;

// A uniform number in [0, 1) from a key and two integers (the splitmix64 finaliser, inlined:
// the furrows call it several times per grid point).
inline double hash_unit(std::uint64_t key, std::int64_t a, std::int64_t b = 0) {
  std::uint64_t h = key + static_cast<std::uint64_t>(a) * 0x9E3779B97F4A7C15ULL +
                    static_cast<std::uint64_t>(b) * 0xC2B2AE3D27D4EB4FULL;
  h = (h ^ (h >> 30)) * 0xBF58476D1CE4E5B9ULL;
  h = (h ^ (h >> 27)) * 0x94D049BB133111EBULL;
  h ^= h >> 31;
  return static_cast<double>(h >> 11) * 0x1.0p-53;
}

// sin(2 pi t) from a table with linear interpolation: the furrows' waviness needs it at every
// point, and a table is several times faster than libm (error below 1e-6 of the amplitude).
class SineTable {
 public:
  SineTable() {
    for (int i = 0; i <= kSize; ++i) values_[static_cast<std::size_t>(i)] = std::sin(2.0 * kPi * i / kSize);
  }
  double operator()(double turns) const {
    const double t = (turns - std::floor(turns)) * kSize;
    const auto i = static_cast<std::size_t>(t);
    const double f = t - static_cast<double>(i);
    return values_[i] + f * (values_[i + 1] - values_[i]);
  }

 private:
  static constexpr int kSize = 4096;
  std::array<double, kSize + 1> values_{};
};

struct Pore {
  double x_mm = 0.0;
  double y_mm = 0.0;
  double radius_mm = 0.05;
  double depth_um = 20.0;
};

struct FurrowDirection {
  double angle_rad = 0.0;
  double cos_angle = 1.0;
  double sin_angle = 0.0;
  double depth_factor = 1.0;
  std::array<double, 2> wobble_mm{};
  std::array<double, 2> wobble_length_mm{1.0, 1.0};
  std::array<double, 2> wobble_phase{};
  std::uint64_t key = 0;
};

// The skin of one synthetic patient: everything that stays the same between visits.
struct Skin {
  SkinParameters parameters;
  double width_mm = 0.0;   // the baseline scan's extent (the scars lie inside it)
  double height_mm = 0.0;
  std::vector<ScarShape> scars;
  std::vector<Pore> pores;
  std::vector<FurrowDirection> furrows;
  SineTable sine;
  cv::Mat roughness;       // periodic field, CV_32F, on the baseline grid
  double roughness_dx_mm = 0.02;
  double roughness_dy_mm = 0.02;
};

struct Grid {
  int nx = 0;
  int ny = 0;
  double dx_mm = 0.02;
  double dy_mm = 0.02;
  double width_mm() const { return nx * dx_mm; }
  double height_mm() const { return ny * dy_mm; }
};

// Tells the request's message callback and the caller's Progress (which may cancel: CancelledError).
void report(const SynthRequest& request, const Progress* progress, const std::string& message, double fraction) {
  progress_step(progress, message, fraction);
  if (request.progress) request.progress(message);
}

Grid grid_for(double width_mm, double height_mm, double spacing_um) {
  if (!(width_mm >= 1.0 && width_mm <= 200.0) || !(height_mm >= 1.0 && height_mm <= 200.0)) {
    throw InputError("synthetic scan size must be 1-200 mm in each direction (got " + std::to_string(width_mm) +
                     " x " + std::to_string(height_mm) + " mm)");
  }
  if (!(spacing_um >= 1.0 && spacing_um <= 500.0)) {
    throw InputError("synthetic scan spacing must be 1-500 um (got " + std::to_string(spacing_um) + ")");
  }
  Grid grid;
  grid.dx_mm = grid.dy_mm = spacing_um / 1000.0;
  grid.nx = static_cast<int>(std::lround(width_mm / grid.dx_mm));
  grid.ny = static_cast<int>(std::lround(height_mm / grid.dy_mm));
  if (static_cast<double>(grid.nx) * grid.ny > 1.2e8) {
    throw InputError("synthetic scan of " + std::to_string(grid.nx) + " x " + std::to_string(grid.ny) +
                     " points is too large (at most 120 million points)");
  }
  if (grid.nx < 8 || grid.ny < 8) throw InputError("synthetic scan must have at least 8 x 8 points");
  return grid;
}

SkinParameters parameters_for(const SynthRequest& request) {
  SkinParameters parameters = request.parameters ? *request.parameters : preset_parameters(request.preset);
  if (!request.parameters) apply_condition(parameters, request.condition);
  parameters.preset = request.preset;
  return parameters;
}

// ---------------------------------------------------------------------------------------------
// Scars: drawn, then placed.

double draw_diameter(Random& rng, ScarType type, const ScarTypeRange& range, double band_share) {
  const bool in_band = rng.chance(band_share);
  switch (type) {
    case ScarType::ice_pick:
      return in_band ? rng.uniform(1.5, 2.0) : rng.uniform(range.diameter_min_mm, range.diameter_max_mm);
    case ScarType::boxcar:
      if (in_band) return rng.chance(0.5) ? rng.uniform(1.5, 2.0) : rng.uniform(4.0, 5.0);
      return rng.uniform(range.diameter_min_mm, range.diameter_max_mm);
    case ScarType::rolling:
      return in_band ? rng.uniform(4.0, 5.0) : rng.uniform(range.diameter_min_mm, range.diameter_max_mm);
    case ScarType::hypertrophic:
      return rng.uniform(range.diameter_min_mm, range.diameter_max_mm);
  }
  return 1.0;
}

ScarShape draw_scar(Random& rng, ScarType type, const SkinParameters& parameters) {
  const ScarPopulationParameters& population = parameters.scars;
  const ScarTypeRange& range = type == ScarType::ice_pick ? population.ice_pick
                               : type == ScarType::boxcar ? population.boxcar
                               : type == ScarType::rolling ? population.rolling
                                                           : population.hypertrophic;
  ScarShape scar;
  scar.type = type;
  scar.diameter_mm = draw_diameter(rng, type, range, population.overlap_band_share);
  if (type == ScarType::boxcar) {
    // Jacob 2001: shallow boxcar 0.1-0.5 mm, deep >= 0.5 mm.
    const bool deep = rng.chance(population.deep_boxcar_share) && range.depth_max_um > 500.0;
    const double low = deep ? std::max(500.0, range.depth_min_um) : range.depth_min_um;
    const double high = deep ? range.depth_max_um : std::min(500.0, range.depth_max_um);
    scar.depth_um = rng.uniform(low, std::max(low, high));
  } else {
    scar.depth_um = rng.uniform(range.depth_min_um, range.depth_max_um);
  }
  scar.orientation_deg = rng.uniform(0.0, 180.0);
  double undulation_max = 0.04;
  switch (type) {
    case ScarType::ice_pick:
      scar.axis_ratio = rng.uniform(0.75, 1.0);
      scar.shape_exponent = rng.uniform(0.8, 1.6);
      break;
    case ScarType::boxcar:
      scar.axis_ratio = rng.uniform(0.6, 1.0);
      break;
    case ScarType::rolling:
      scar.axis_ratio = rng.uniform(0.55, 0.95);
      scar.shape_exponent = rng.uniform(0.7, 1.3);
      undulation_max = 0.10;
      break;
    case ScarType::hypertrophic:
      scar.axis_ratio = rng.uniform(0.6, 1.0);
      scar.shape_exponent = rng.uniform(0.6, 1.4);
      break;
  }
  for (std::size_t k = 0; k < scar.undulation.size(); ++k) {
    // Higher harmonics get smaller amplitudes, so the outline undulates without fraying.
    scar.undulation[k] = rng.uniform(0.0, undulation_max / static_cast<double>(k + 1));
    scar.undulation_phase[k] = rng.uniform(0.0, 2.0 * kPi);
  }
  // Boxcar walls are steep: the wall is as wide as its depth allows at a mean slope of 55-80 deg
  // (a smoothstep wall's mean slope is about 1.2 depth / width).
  const double wall_deg = rng.uniform(55.0, 80.0);
  const double wall_width_mm = 1.2e-3 * scar.depth_um / std::tan(wall_deg * kDegree);
  const double radius_mm = scar.diameter_mm / (2.0 * std::sqrt(scar.axis_ratio));
  scar.floor_fraction = std::clamp(1.0 - wall_width_mm / radius_mm, 0.3, 0.95);
  scar.floor_tilt = type == ScarType::boxcar ? rng.uniform(0.0, 0.08) : 0.0;
  scar.floor_tilt_deg = rng.uniform(0.0, 360.0);
  const int tether_count = static_cast<int>(rng.uniform_int(1, 3));
  for (int t = 0; t < tether_count; ++t) {
    Tether tether;
    const double r = rng.uniform(0.0, 0.5);
    const double a = rng.uniform(0.0, 2.0 * kPi);
    tether.x = r * std::cos(a);
    tether.y = r * std::sin(a);
    tether.width = rng.uniform(0.15, 0.35);
    tether.strength = rng.uniform(0.2, 0.5);
    if (type == ScarType::rolling) scar.tethers.push_back(tether);
  }
  const bool occluded = rng.chance(parameters.instrument.ice_pick_occluded_fraction);
  const double visible = rng.uniform(parameters.instrument.occluded_visible_min,
                                     parameters.instrument.occluded_visible_max);
  if (type == ScarType::ice_pick && occluded) {
    scar.floor_occluded = true;
    scar.visible_depth_fraction = visible;
  }
  finish_shape(scar);
  return scar;
}

// Splits n scars over the types by their shares (largest remainder), so the mix is exact.
std::array<int, 4> type_counts(int n, const ScarPopulationParameters& population) {
  std::array<double, 4> shares{population.ice_pick.share, population.boxcar.share, population.rolling.share,
                               population.hypertrophic.share};
  double total = 0.0;
  for (const double s : shares) total += std::max(0.0, s);
  if (total <= 0.0) {
    shares = {0.35, 0.35, 0.25, 0.05};
    total = 1.0;
  }
  std::array<int, 4> counts{};
  std::array<double, 4> remainder{};
  int assigned = 0;
  for (std::size_t t = 0; t < 4; ++t) {
    const double quota = n * std::max(0.0, shares[t]) / total;
    counts[t] = static_cast<int>(std::floor(quota));
    remainder[t] = quota - counts[t];
    assigned += counts[t];
  }
  while (assigned < n) {
    std::size_t best = 0;
    for (std::size_t t = 1; t < 4; ++t) {
      if (remainder[t] > remainder[best]) best = t;
    }
    ++counts[best];
    remainder[best] = -1.0;
    ++assigned;
  }
  return counts;
}

// Radius that surely contains the scar's full extent (for spacing and bounds checks).
double extent_bound_mm(const ScarShape& scar) { return scar.bounding_radius_mm * std::min(1.0, scar.rim_u * 1.05); }

std::vector<ScarShape> place_scars(const SynthRequest& request, const SkinParameters& parameters, double width_mm,
                                   double height_mm) {
  Random rng = Random(request.seed).fork("scars");
  const ScarPopulationParameters& population = parameters.scars;
  const double area_cm2 = width_mm * height_mm / 100.0;
  int n = request.scar_count >= 0 ? request.scar_count
                                  : static_cast<int>(std::lround(population.density_per_cm2 * area_cm2));
  if (n > 5000) throw InputError("at most 5000 scars per synthetic scan (asked for " + std::to_string(n) + ")");
  const std::array<int, 4> counts = type_counts(n, population);
  // Large scars first: they are the hardest to fit.
  std::vector<ScarType> order;
  for (int i = 0; i < counts[2]; ++i) order.push_back(ScarType::rolling);
  for (int i = 0; i < counts[3]; ++i) order.push_back(ScarType::hypertrophic);
  for (int i = 0; i < counts[1]; ++i) order.push_back(ScarType::boxcar);
  for (int i = 0; i < counts[0]; ++i) order.push_back(ScarType::ice_pick);

  std::vector<ScarShape> placed;
  for (const ScarType type : order) {
    ScarShape scar = draw_scar(rng, type, parameters);
    const double r = extent_bound_mm(scar);
    const double edge = r + 0.3;
    if (2.0 * edge >= width_mm || 2.0 * edge >= height_mm) continue;  // does not fit this scan
    std::vector<std::size_t> rolling_neighbours;
    for (std::size_t j = 0; j < placed.size(); ++j) {
      if (placed[j].type == ScarType::rolling) rolling_neighbours.push_back(j);
    }
    const bool cluster = type == ScarType::rolling && !rolling_neighbours.empty() &&
                         rng.chance(population.rolling_cluster_share);
    const bool touch = !cluster && !placed.empty() && rng.chance(population.touching_share);
    // Boxcar pairs and clusters (realism): drawn only when asked for, so plain scans keep their draws.
    std::vector<std::size_t> boxcar_neighbours;
    const RealismParameters& realism = parameters.realism;
    if (type == ScarType::boxcar && realism.boxcar_pair_share > 0.0) {
      for (std::size_t j = 0; j < placed.size(); ++j) {
        if (placed[j].type == ScarType::boxcar) boxcar_neighbours.push_back(j);
      }
    }
    const bool pair = !boxcar_neighbours.empty() && rng.chance(realism.boxcar_pair_share);
    bool ok = false;
    for (int attempt = 0; attempt < 400 && !ok; ++attempt) {
      std::size_t neighbour = placed.size();
      if (pair && attempt < 150) {
        neighbour = boxcar_neighbours[static_cast<std::size_t>(
            rng.uniform_int(0, static_cast<std::int64_t>(boxcar_neighbours.size()) - 1))];
        const ScarShape& other = placed[neighbour];
        const double direction = rng.uniform(0.0, 2.0 * kPi);
        ScarShape probe = scar;
        probe.x_mm = probe.y_mm = 0.0;
        const double own_reach = extent_radius_mm(probe, direction + kPi);
        const double other_reach = extent_radius_mm(other, direction);
        // Rims touch (overlap 0) or overlap by up to boxcar_overlap_max of the smaller radius.
        const double overlap = rng.uniform(0.0, realism.boxcar_overlap_max) * std::min(own_reach, other_reach);
        const double distance = other_reach + own_reach - overlap;
        scar.x_mm = other.x_mm + distance * std::cos(direction);
        scar.y_mm = other.y_mm + distance * std::sin(direction);
      } else if ((cluster || touch) && attempt < 150) {
        neighbour = cluster ? rolling_neighbours[static_cast<std::size_t>(
                                  rng.uniform_int(0, static_cast<std::int64_t>(rolling_neighbours.size()) - 1))]
                            : static_cast<std::size_t>(
                                  rng.uniform_int(0, static_cast<std::int64_t>(placed.size()) - 1));
        const ScarShape& other = placed[neighbour];
        const double direction = rng.uniform(0.0, 2.0 * kPi);
        const double gap = cluster && rng.chance(0.5) ? rng.uniform(0.2, 1.0) : 0.0;
        // Rims meet along the line between the centres (plus the gap).
        scar.x_mm = other.x_mm;
        scar.y_mm = other.y_mm;
        const double other_reach = extent_radius_mm(other, direction);
        ScarShape probe = scar;
        probe.x_mm = probe.y_mm = 0.0;
        const double own_reach = extent_radius_mm(probe, direction + kPi);
        const double distance = other_reach + own_reach + gap;
        scar.x_mm = other.x_mm + distance * std::cos(direction);
        scar.y_mm = other.y_mm + distance * std::sin(direction);
      } else {
        scar.x_mm = rng.uniform(edge, width_mm - edge);
        scar.y_mm = rng.uniform(edge, height_mm - edge);
      }
      if (scar.x_mm < edge || scar.x_mm > width_mm - edge || scar.y_mm < edge || scar.y_mm > height_mm - edge) {
        continue;
      }
      ok = true;
      for (std::size_t j = 0; j < placed.size() && ok; ++j) {
        if (j == neighbour) continue;
        const double dx = scar.x_mm - placed[j].x_mm;
        const double dy = scar.y_mm - placed[j].y_mm;
        const double needed = r + extent_bound_mm(placed[j]) + population.min_gap_mm;
        if (dx * dx + dy * dy < needed * needed) ok = false;
      }
    }
    if (ok) placed.push_back(scar);
  }
  // Ids follow the reading order of the scan (rows of 5 mm, then x), so they are easy to find.
  std::stable_sort(placed.begin(), placed.end(), [](const ScarShape& a, const ScarShape& b) {
    const auto band_a = static_cast<long>(std::floor(a.y_mm / 5.0));
    const auto band_b = static_cast<long>(std::floor(b.y_mm / 5.0));
    if (band_a != band_b) return band_a < band_b;
    return a.x_mm < b.x_mm;
  });
  for (std::size_t i = 0; i < placed.size(); ++i) placed[i].id = static_cast<int>(i) + 1;
  // Rounded ice-pick tips (realism), from their own stream so the scars' draws stay as they were.
  if (parameters.realism.rounded_ice_pick_share > 0.0) {
    Random tips = Random(request.seed).fork("ice pick tips");
    for (ScarShape& scar : placed) {
      if (scar.type != ScarType::ice_pick) continue;
      const bool rounded = tips.chance(parameters.realism.rounded_ice_pick_share);
      const double t = tips.uniform(parameters.realism.tip_rounding_min, parameters.realism.tip_rounding_max);
      if (!rounded) continue;
      scar.tip_rounding = std::clamp(t, 0.0, 0.9);
      finish_shape(scar);
    }
  }
  // Which scars touch: their full extents meet along the line between their centres (within a
  // 50 um tolerance).
  for (std::size_t i = 0; i < placed.size(); ++i) {
    for (std::size_t j = i + 1; j < placed.size(); ++j) {
      const double dx = placed[j].x_mm - placed[i].x_mm;
      const double dy = placed[j].y_mm - placed[i].y_mm;
      const double distance = std::hypot(dx, dy);
      if (distance > extent_bound_mm(placed[i]) + extent_bound_mm(placed[j]) + 0.05) continue;
      const double direction = std::atan2(dy, dx);
      if (extent_radius_mm(placed[i], direction) + extent_radius_mm(placed[j], direction + kPi) + 0.05 >= distance) {
        placed[i].touching.push_back(placed[j].id);
        placed[j].touching.push_back(placed[i].id);
      }
    }
  }
  return placed;
}

// ---------------------------------------------------------------------------------------------
// Microrelief.

std::vector<Pore> draw_pores(const SynthRequest& request, const SkinParameters& parameters, double width_mm,
                             double height_mm) {
  Random rng = Random(request.seed).fork("pores");
  const double x0 = -kSkinMarginMm;
  const double y0 = -kSkinMarginMm;
  const double w = width_mm + 2.0 * kSkinMarginMm;
  const double h = height_mm + 2.0 * kSkinMarginMm;
  const std::int64_t count = rng.poisson(parameters.pores.density_per_cm2 * w * h / 100.0);
  std::vector<Pore> pores;
  pores.reserve(static_cast<std::size_t>(count));
  for (std::int64_t i = 0; i < count; ++i) {
    Pore pore;
    pore.x_mm = x0 + rng.uniform() * w;
    pore.y_mm = y0 + rng.uniform() * h;
    pore.radius_mm = 0.5e-3 * rng.uniform(parameters.pores.width_min_um, parameters.pores.width_max_um);
    pore.depth_um = rng.uniform(parameters.pores.depth_min_um, parameters.pores.depth_max_um);
    pores.push_back(pore);
  }
  return pores;
}

std::vector<FurrowDirection> draw_furrows(const SynthRequest& request, const SkinParameters& parameters) {
  Random rng = Random(request.seed).fork("furrows");
  const int n = std::clamp(parameters.furrows.directions, 0, 4);
  const double base = rng.uniform(0.0, 180.0);
  std::vector<FurrowDirection> directions;
  for (int k = 0; k < n; ++k) {
    FurrowDirection d;
    d.angle_rad = (base + k * 180.0 / n + rng.uniform(-15.0, 15.0)) * kDegree;
    d.cos_angle = std::cos(d.angle_rad);
    d.sin_angle = std::sin(d.angle_rad);
    d.depth_factor = k == 0 ? 1.2 : rng.uniform(0.6, 1.0);  // one main direction dominates
    for (int i = 0; i < 2; ++i) {
      d.wobble_mm[i] = 1e-3 * parameters.furrows.wobble_um * rng.uniform(0.3, 1.0);
      d.wobble_length_mm[i] = rng.uniform(0.6, 2.5);
      d.wobble_phase[i] = rng.uniform(0.0, 2.0 * kPi);
    }
    d.key = rng.next_u64();
    directions.push_back(d);
  }
  return directions;
}

// Spectral synthesis of a periodic self-affine field on the baseline grid, scaled to its rms.
cv::Mat make_roughness(const SynthRequest& request, const RoughnessParameters& parameters, const Grid& grid) {
  const int nx = cv::getOptimalDFTSize(grid.nx);
  const int ny = cv::getOptimalDFTSize(grid.ny);
  cv::Mat field(ny, nx, CV_32F, cv::Scalar(0));
  if (!(parameters.rms_um > 0.0)) return field;
  Random rng = Random(request.seed).fork("roughness");
  for (int r = 0; r < ny; ++r) {
    float* row = field.ptr<float>(r);
    for (int c = 0; c < nx; ++c) row[c] = static_cast<float>(rng.gaussian());
  }
  cv::Mat spectrum;
  cv::dft(field, spectrum, cv::DFT_COMPLEX_OUTPUT);
  const double k_high = 1.0 / (parameters.min_wavelength_um / 1000.0);  // cycles per mm
  const double k_low = 1.0 / parameters.max_wavelength_mm;
  const double exponent = -(parameters.hurst + 1.0);  // amplitude ~ k^-(H+1): power ~ k^-(2H+2)
  for (int r = 0; r < ny; ++r) {
    const double ky = (r <= ny / 2 ? r : r - ny) / (ny * grid.dy_mm);
    auto* row = spectrum.ptr<cv::Vec2f>(r);
    for (int c = 0; c < nx; ++c) {
      const double kx = (c <= nx / 2 ? c : c - nx) / (nx * grid.dx_mm);
      const double k = std::sqrt(kx * kx + ky * ky);
      double gain = 0.0;
      if (k > 0.0 && k <= k_high) gain = std::pow(std::max(k, k_low), exponent);
      row[c] *= static_cast<float>(gain);
    }
  }
  cv::idft(spectrum, field, cv::DFT_REAL_OUTPUT | cv::DFT_SCALE);
  cv::Scalar mean;
  cv::Scalar sd;
  cv::meanStdDev(field, mean, sd);
  if (sd[0] > 0.0) field = (field - mean[0]) * (parameters.rms_um / sd[0]);
  return field;
}

Skin make_skin(const SynthRequest& request, const Progress* progress) {
  Skin skin;
  skin.parameters = parameters_for(request);
  const Grid grid = grid_for(request.width_mm, request.height_mm, request.spacing_um);
  skin.width_mm = grid.width_mm();
  skin.height_mm = grid.height_mm();
  report(request, progress, "placing scars", 0.0);
  skin.scars = place_scars(request, skin.parameters, skin.width_mm, skin.height_mm);
  skin.pores = draw_pores(request, skin.parameters, skin.width_mm, skin.height_mm);
  skin.furrows = draw_furrows(request, skin.parameters);
  report(request, progress, "roughness", 0.05);
  skin.roughness = make_roughness(request, skin.parameters.roughness, grid);
  skin.roughness_dx_mm = grid.dx_mm;
  skin.roughness_dy_mm = grid.dy_mm;
  return skin;
}

// ---------------------------------------------------------------------------------------------
// Rendering.

DrawnForm draw_form(Random rng, const FormParameters& form, const Grid& grid) {
  DrawnForm drawn;
  drawn.curvature_radius_x_mm = rng.uniform(form.curvature_radius_min_mm, form.curvature_radius_max_mm);
  drawn.curvature_radius_y_mm = rng.uniform(form.curvature_radius_min_mm, form.curvature_radius_max_mm);
  const double r = form.apex_offset_max_mm * std::sqrt(rng.uniform());
  const double a = rng.uniform(0.0, 2.0 * kPi);
  drawn.apex_x_mm = grid.width_mm() / 2.0 + r * std::cos(a);
  drawn.apex_y_mm = grid.height_mm() / 2.0 + r * std::sin(a);
  drawn.tilt_x_deg = rng.uniform(-form.tilt_max_deg, form.tilt_max_deg);
  drawn.tilt_y_deg = rng.uniform(-form.tilt_max_deg, form.tilt_max_deg);
  return drawn;
}

double furrow_depth_um(const Skin& skin, double xs, double ys) {
  const FurrowParameters& f = skin.parameters.furrows;
  if (skin.furrows.empty() || !(f.depth_um > 0.0) || !(f.spacing_mm > 0.0)) return 0.0;
  const double width_mm = f.width_um / 1000.0;
  const double reach = 1.5 * width_mm;
  const double k = 4.0 * std::numbers::ln2 / (width_mm * width_mm);
  double z = 0.0;
  for (const FurrowDirection& d : skin.furrows) {
    const double c = d.cos_angle;
    const double s = d.sin_angle;
    const double v = -xs * s + ys * c;
    double u = xs * c + ys * s;
    for (int i = 0; i < 2; ++i) {
      u += d.wobble_mm[i] * skin.sine(v / d.wobble_length_mm[i] + d.wobble_phase[i] / (2.0 * kPi));
    }
    const auto j0 = static_cast<std::int64_t>(std::floor(u / f.spacing_mm));
    double best = std::numeric_limits<double>::infinity();
    std::int64_t best_j = j0;
    for (std::int64_t j = j0 - 1; j <= j0 + 2; ++j) {
      const double position = (static_cast<double>(j) + 0.6 * (hash_unit(d.key, j) - 0.5)) * f.spacing_mm;
      const double distance = std::abs(u - position);
      if (distance < best) {
        best = distance;
        best_j = j;
      }
    }
    if (best >= reach) continue;
    // The furrow fades in and out along its length (value noise over cells of fade_length).
    const double t = v / f.fade_length_mm;
    const auto cell = static_cast<std::int64_t>(std::floor(t));
    const double frac = t - static_cast<double>(cell);
    const double w = frac * frac * (3.0 - 2.0 * frac);
    const double noise = (1.0 - w) * hash_unit(d.key ^ 0x5bd1e995ULL, best_j, cell) +
                         w * hash_unit(d.key ^ 0x5bd1e995ULL, best_j, cell + 1);
    const double fade = std::clamp((noise - 0.2) / 0.5, 0.0, 1.0);
    if (fade <= 0.0) continue;
    const double line_depth = f.depth_um * d.depth_factor * (0.5 + hash_unit(d.key ^ 0xABCDEFULL, best_j));
    z -= line_depth * fade * std::exp(-k * best * best);
  }
  return z;
}

// Bilinear lookup in the periodic roughness field at skin point (x, y) mm.
double roughness_at(const Skin& skin, double xs, double ys) {
  const cv::Mat& f = skin.roughness;
  const double gx = xs / skin.roughness_dx_mm;
  const double gy = ys / skin.roughness_dy_mm;
  const double fx = std::floor(gx);
  const double fy = std::floor(gy);
  const double wx = gx - fx;
  const double wy = gy - fy;
  auto wrap = [](std::int64_t i, int n) { return static_cast<int>(((i % n) + n) % n); };
  const int x0 = wrap(static_cast<std::int64_t>(fx), f.cols);
  const int x1 = wrap(static_cast<std::int64_t>(fx) + 1, f.cols);
  const int y0 = wrap(static_cast<std::int64_t>(fy), f.rows);
  const int y1 = wrap(static_cast<std::int64_t>(fy) + 1, f.rows);
  return (1 - wy) * ((1 - wx) * f.at<float>(y0, x0) + wx * f.at<float>(y0, x1)) +
         wy * ((1 - wx) * f.at<float>(y1, x0) + wx * f.at<float>(y1, x1));
}

// A pose with its sine and cosine computed once (the renderers map every grid point).
struct PoseTransform {
  explicit PoseTransform(const Pose& p)
      : pose(p), c(std::cos(p.rotation_deg * kDegree)), s(std::sin(p.rotation_deg * kDegree)) {}
  // Scan point -> skin point.
  void to_skin(double x, double y, double& xs, double& ys) const {
    const double dx = x - pose.shift_x_mm - pose.center_x_mm;
    const double dy = y - pose.shift_y_mm - pose.center_y_mm;
    xs = pose.center_x_mm + c * dx + s * dy;
    ys = pose.center_y_mm - s * dx + c * dy;
  }
  Pose pose;
  double c;
  double s;
};

bool pose_is_identity(const Pose& pose) {
  return pose.shift_x_mm == 0.0 && pose.shift_y_mm == 0.0 && pose.rotation_deg == 0.0;
}

// A scar's contribution over its bounding box on the scan grid (one pixel of zero border).
struct ScarPatch {
  int row0 = 0;
  int col0 = 0;
  cv::Mat contribution;  // CV_32F, um
  cv::Mat profile;       // CV_32F, 0-1
  bool clipped = false;  // the support reaches beyond the scan
  bool empty() const { return contribution.empty(); }
};

ScarPatch render_scar(const ScarShape& scar, const Pose& pose, const Grid& grid) {
  ScarPatch patch;
  double cx = 0.0;
  double cy = 0.0;
  pose_apply(pose, scar.x_mm, scar.y_mm, cx, cy);
  const double r = scar.bounding_radius_mm;
  const int col_lo = static_cast<int>(std::floor((cx - r) / grid.dx_mm)) - 1;
  const int col_hi = static_cast<int>(std::ceil((cx + r) / grid.dx_mm)) + 1;
  const int row_lo = static_cast<int>(std::floor((cy - r) / grid.dy_mm)) - 1;
  const int row_hi = static_cast<int>(std::ceil((cy + r) / grid.dy_mm)) + 1;
  const int c0 = std::max(0, col_lo);
  const int c1 = std::min(grid.nx - 1, col_hi);
  const int r0 = std::max(0, row_lo);
  const int r1 = std::min(grid.ny - 1, row_hi);
  if (c1 < c0 || r1 < r0) return patch;
  patch.clipped = col_lo < 0 || row_lo < 0 || col_hi > grid.nx - 1 || row_hi > grid.ny - 1;
  patch.row0 = r0;
  patch.col0 = c0;
  patch.contribution = cv::Mat(r1 - r0 + 1, c1 - c0 + 1, CV_32F, cv::Scalar(0));
  patch.profile = cv::Mat(r1 - r0 + 1, c1 - c0 + 1, CV_32F, cv::Scalar(0));
  const PoseTransform transform(pose);
  for (int row = r0; row <= r1; ++row) {
    float* z = patch.contribution.ptr<float>(row - r0);
    float* p = patch.profile.ptr<float>(row - r0);
    for (int col = c0; col <= c1; ++col) {
      double xs = 0.0;
      double ys = 0.0;
      transform.to_skin(col * grid.dx_mm, row * grid.dy_mm, xs, ys);
      double profile = 0.0;
      z[col - c0] = static_cast<float>(scar_contribution_um(scar, xs, ys, &profile));
      p[col - c0] = static_cast<float>(profile);
    }
  }
  return patch;
}

ScarTruth measure_scar(const ScarShape& scar, const ScarPatch& patch, const Grid& grid, const std::uint8_t* mask) {
  ScarTruth truth;
  truth.id = scar.id;
  truth.type = scar.type;
  const cv::Mat& c = patch.contribution;
  double depth = 0.0;
  double total = 0.0;
  for (int r = 0; r < c.rows; ++r) {
    const float* z = c.ptr<float>(r);
    for (int k = 0; k < c.cols; ++k) {
      depth = std::max(depth, static_cast<double>(std::abs(z[k])));
      total += std::abs(z[k]);
    }
  }
  truth.depth_um = depth;
  const double dx_um = grid.dx_mm * 1000.0;
  const double dy_um = grid.dy_mm * 1000.0;
  truth.volume_mm3 = total * dx_um * dy_um * 1e-9;
  if (depth <= 0.0) return truth;
  const double rim = kRimFraction * depth;
  double count = 0.0;
  double sum_x = 0.0;
  double sum_y = 0.0;
  double sum_xx = 0.0;
  double sum_yy = 0.0;
  double sum_xy = 0.0;
  double extent_sum = 0.0;
  double slope_sum = 0.0;
  double slope_count = 0.0;
  double visible = 0.0;
  bool floor_seen = false;
  for (int r = 0; r < c.rows; ++r) {
    const float* z = c.ptr<float>(r);
    for (int k = 0; k < c.cols; ++k) {
      const double a = std::abs(z[k]);
      const int row = patch.row0 + r;
      const int col = patch.col0 + k;
      const bool valid = mask[static_cast<std::size_t>(row) * static_cast<std::size_t>(grid.nx) +
                              static_cast<std::size_t>(col)] != 0;
      if (valid && a > visible) visible = a;
      if (valid && a >= 0.9 * depth) floor_seen = true;
      if (a < rim) continue;
      const double x = col * grid.dx_mm;
      const double y = row * grid.dy_mm;
      count += 1.0;
      sum_x += x;
      sum_y += y;
      sum_xx += x * x;
      sum_yy += y * y;
      sum_xy += x * y;
      extent_sum += a;
      if (a >= 0.1 * depth && a <= 0.75 * depth && r > 0 && k > 0 && r + 1 < c.rows && k + 1 < c.cols) {
        const double gx = (c.at<float>(r, k + 1) - c.at<float>(r, k - 1)) / (2.0 * dx_um);
        const double gy = (c.at<float>(r + 1, k) - c.at<float>(r - 1, k)) / (2.0 * dy_um);
        slope_sum += std::atan(std::sqrt(gx * gx + gy * gy)) / kDegree;
        slope_count += 1.0;
      }
    }
  }
  truth.area_mm2 = count * grid.dx_mm * grid.dy_mm;
  truth.diameter_mm = std::sqrt(4.0 * truth.area_mm2 / kPi);
  truth.centroid_x_mm = sum_x / count;
  truth.centroid_y_mm = sum_y / count;
  const double vxx = sum_xx / count - truth.centroid_x_mm * truth.centroid_x_mm;
  const double vyy = sum_yy / count - truth.centroid_y_mm * truth.centroid_y_mm;
  const double vxy = sum_xy / count - truth.centroid_x_mm * truth.centroid_y_mm;
  const double mean = 0.5 * (vxx + vyy);
  const double spread = std::sqrt(std::max(0.0, 0.25 * (vxx - vyy) * (vxx - vyy) + vxy * vxy));
  truth.major_mm = 4.0 * std::sqrt(std::max(0.0, mean + spread));
  truth.minor_mm = 4.0 * std::sqrt(std::max(0.0, mean - spread));
  truth.mean_depth_um = extent_sum / count;
  truth.wall_slope_deg = slope_count > 0.0 ? slope_sum / slope_count : 0.0;
  truth.visible_depth_um = visible;
  truth.depth_is_lower_bound = !floor_seen;
  truth.fully_in_view = !patch.clipped;
  return truth;
}

struct RenderSetup {
  Grid grid;
  Pose pose;
  DrawnForm form;
  std::uint64_t instrument_seed = 0;  // noise, dropouts, spikes
};

SyntheticScan render(const Skin& skin, const RenderSetup& setup, const SynthRequest& request, const Progress* progress) {
  const Grid& grid = setup.grid;
  const Pose& pose = setup.pose;
  const SkinParameters& parameters = skin.parameters;
  const auto nx = static_cast<std::size_t>(grid.nx);
  const std::size_t count = nx * static_cast<std::size_t>(grid.ny);

  // Microrelief, in skin coordinates.
  report(request, progress, "microrelief", 0.25);
  std::vector<float> micro(count, 0.0f);
  const bool direct_roughness = pose_is_identity(pose) && std::abs(grid.dx_mm - skin.roughness_dx_mm) < 1e-12 &&
                                std::abs(grid.dy_mm - skin.roughness_dy_mm) < 1e-12;
  const PoseTransform transform(pose);
  cv::parallel_for_(cv::Range(0, grid.ny), [&](const cv::Range& rows) {
    for (int row = rows.start; row < rows.end; ++row) {
      float* out = micro.data() + static_cast<std::size_t>(row) * nx;
      const float* rough = direct_roughness ? skin.roughness.ptr<float>(row) : nullptr;
      for (int col = 0; col < grid.nx; ++col) {
        double xs = 0.0;
        double ys = 0.0;
        transform.to_skin(col * grid.dx_mm, row * grid.dy_mm, xs, ys);
        const double r = rough ? rough[col] : roughness_at(skin, xs, ys);
        out[col] = static_cast<float>(r + furrow_depth_um(skin, xs, ys));
      }
    }
  });
  for (const Pore& pore : skin.pores) {
    double cx = 0.0;
    double cy = 0.0;
    pose_apply(pose, pore.x_mm, pore.y_mm, cx, cy);
    const int c0 = std::max(0, static_cast<int>(std::floor((cx - pore.radius_mm) / grid.dx_mm)));
    const int c1 = std::min(grid.nx - 1, static_cast<int>(std::ceil((cx + pore.radius_mm) / grid.dx_mm)));
    const int r0 = std::max(0, static_cast<int>(std::floor((cy - pore.radius_mm) / grid.dy_mm)));
    const int r1 = std::min(grid.ny - 1, static_cast<int>(std::ceil((cy + pore.radius_mm) / grid.dy_mm)));
    for (int row = r0; row <= r1; ++row) {
      for (int col = c0; col <= c1; ++col) {
        const double dx = col * grid.dx_mm - cx;
        const double dy = row * grid.dy_mm - cy;
        const double q = (dx * dx + dy * dy) / (pore.radius_mm * pore.radius_mm);
        if (q >= 1.0) continue;
        micro[static_cast<std::size_t>(row) * nx + static_cast<std::size_t>(col)] -=
            static_cast<float>(pore.depth_um * (1.0 - q) * (1.0 - q));
      }
    }
  }

  // Scars: each rendered over its own box; depressions combine by the deeper, domes add.
  std::vector<float> depressed(count, 0.0f);
  std::vector<float> raised(count, 0.0f);
  std::vector<float> inside(count, 0.0f);
  std::vector<ScarPatch> patches;
  patches.reserve(skin.scars.size());
  for (std::size_t i = 0; i < skin.scars.size(); ++i) {
    const double scar_fraction = 0.35 + 0.35 * static_cast<double>(i) / static_cast<double>(skin.scars.size());
    if (i % 8 == 0) {
      report(request, progress, "scars " + std::to_string(i) + "/" + std::to_string(skin.scars.size()), scar_fraction);
    } else {
      progress_step(progress, "scars", scar_fraction);
    }
    const ScarShape& scar = skin.scars[i];
    ScarPatch patch = render_scar(scar, pose, grid);
    // How much of scar_smoothing applies inside this scar (plain: all of it, for every type).
    const float smoothing_factor = static_cast<float>(
        scar.type == ScarType::rolling  ? std::clamp(parameters.realism.rolling_smoothing_factor, 0.0, 1.0)
        : scar.type == ScarType::boxcar ? std::clamp(parameters.realism.boxcar_smoothing_factor, 0.0, 1.0)
                                        : 1.0);
    if (!patch.empty()) {
      for (int r = 0; r < patch.contribution.rows; ++r) {
        const float* z = patch.contribution.ptr<float>(r);
        const float* p = patch.profile.ptr<float>(r);
        const std::size_t base = static_cast<std::size_t>(patch.row0 + r) * nx + static_cast<std::size_t>(patch.col0);
        for (int k = 0; k < patch.contribution.cols; ++k) {
          if (scar.type == ScarType::hypertrophic) {
            raised[base + k] += z[k];
          } else {
            depressed[base + k] = std::min(depressed[base + k], z[k]);
          }
          inside[base + k] = std::max(inside[base + k], smoothing_factor == 1.0f ? p[k] : smoothing_factor * p[k]);
        }
      }
    }
    patches.push_back(std::move(patch));
  }

  // Form, in scan coordinates, and the sum of everything.
  report(request, progress, "form and instrument", 0.75);
  HeightMap map(grid.nx, grid.ny, grid.dx_mm * 1000.0, grid.dy_mm * 1000.0);
  float* heights = map.heights();
  std::uint8_t* mask = map.mask();
  const DrawnForm& form = setup.form;
  const double tx = std::tan(form.tilt_x_deg * kDegree) * 1000.0;
  const double ty = std::tan(form.tilt_y_deg * kDegree) * 1000.0;
  const double smoothing = std::clamp(parameters.scar_smoothing, 0.0, 1.0);
  for (int row = 0; row < grid.ny; ++row) {
    const double y = row * grid.dy_mm;
    const double ey = y - form.apex_y_mm;
    for (int col = 0; col < grid.nx; ++col) {
      const std::size_t i = static_cast<std::size_t>(row) * nx + static_cast<std::size_t>(col);
      const double x = col * grid.dx_mm;
      const double ex = x - form.apex_x_mm;
      const double z_form = -1000.0 * (ex * ex / (2.0 * form.curvature_radius_x_mm) +
                                       ey * ey / (2.0 * form.curvature_radius_y_mm)) +
                            tx * (x - grid.width_mm() / 2.0) + ty * (y - grid.height_mm() / 2.0);
      heights[i] = static_cast<float>(z_form + micro[i] * (1.0 - smoothing * inside[i]) + depressed[i] + raised[i]);
    }
  }

  // Instrument: what it cannot see, then what it adds.
  const InstrumentParameters& instrument = parameters.instrument;
  for (std::size_t s = 0; s < skin.scars.size(); ++s) {
    const ScarShape& scar = skin.scars[s];
    const ScarPatch& patch = patches[s];
    if (!scar.floor_occluded || patch.empty()) continue;
    double depth = 0.0;
    cv::minMaxLoc(cv::abs(patch.contribution), nullptr, &depth);
    const double hidden_below = scar.visible_depth_fraction * depth;
    for (int r = 0; r < patch.contribution.rows; ++r) {
      const float* z = patch.contribution.ptr<float>(r);
      for (int k = 0; k < patch.contribution.cols; ++k) {
        if (-z[k] > hidden_below) {
          mask[static_cast<std::size_t>(patch.row0 + r) * nx + static_cast<std::size_t>(patch.col0 + k)] = 0;
        }
      }
    }
  }
  if (instrument.steep_wall_missing_deg < 90.0) {
    const double limit = std::tan(instrument.steep_wall_missing_deg * kDegree);
    const double dx_um = grid.dx_mm * 1000.0;
    const double dy_um = grid.dy_mm * 1000.0;
    std::vector<std::uint8_t> steep(count, 0);
    for (int row = 1; row + 1 < grid.ny; ++row) {
      for (int col = 1; col + 1 < grid.nx; ++col) {
        const std::size_t i = static_cast<std::size_t>(row) * nx + static_cast<std::size_t>(col);
        const double gx = (heights[i + 1] - heights[i - 1]) / (2.0 * dx_um);
        const double gy = (heights[i + nx] - heights[i - nx]) / (2.0 * dy_um);
        if (gx * gx + gy * gy > limit * limit) steep[i] = 1;
      }
    }
    for (std::size_t i = 0; i < count; ++i) {
      if (steep[i]) mask[i] = 0;
    }
  }
  Random instrument_rng(setup.instrument_seed);
  {
    Random rng = instrument_rng.fork("dropouts");
    const double area_cm2 = grid.width_mm() * grid.height_mm() / 100.0;
    const std::int64_t blobs = rng.poisson(instrument.dropout_blobs_per_cm2 * area_cm2);
    for (std::int64_t b = 0; b < blobs; ++b) {
      const double cx = rng.uniform(0.0, grid.width_mm());
      const double cy = rng.uniform(0.0, grid.height_mm());
      const double ra = rng.uniform(instrument.dropout_radius_min_mm, instrument.dropout_radius_max_mm);
      const double rb = ra * rng.uniform(0.4, 1.0);
      const double angle = rng.uniform(0.0, kPi);
      const double ca = std::cos(angle);
      const double sa = std::sin(angle);
      const int c0 = std::max(0, static_cast<int>(std::floor((cx - ra) / grid.dx_mm)));
      const int c1 = std::min(grid.nx - 1, static_cast<int>(std::ceil((cx + ra) / grid.dx_mm)));
      const int r0 = std::max(0, static_cast<int>(std::floor((cy - ra) / grid.dy_mm)));
      const int r1 = std::min(grid.ny - 1, static_cast<int>(std::ceil((cy + ra) / grid.dy_mm)));
      for (int row = r0; row <= r1; ++row) {
        for (int col = c0; col <= c1; ++col) {
          const double dx = col * grid.dx_mm - cx;
          const double dy = row * grid.dy_mm - cy;
          const double u = (dx * ca + dy * sa) / ra;
          const double v = (-dx * sa + dy * ca) / rb;
          if (u * u + v * v < 1.0) mask[static_cast<std::size_t>(row) * nx + static_cast<std::size_t>(col)] = 0;
        }
      }
    }
  }
  double scattered_share = 0.0;
  if (parameters.realism.scattered_missing_max > 0.0) {
    // Single points missing at random (realism), the share drawn per scan.
    Random rng = instrument_rng.fork("scattered missing");
    const double share = std::clamp(
        rng.uniform(parameters.realism.scattered_missing_min, parameters.realism.scattered_missing_max), 0.0, 0.05);
    scattered_share = share;
    const auto points = static_cast<std::int64_t>(std::llround(share * static_cast<double>(count)));
    for (std::int64_t s = 0; s < points; ++s) {
      mask[static_cast<std::size_t>(rng.uniform_int(0, static_cast<std::int64_t>(count) - 1))] = 0;
    }
  }
  if (instrument.noise_um > 0.0) {
    Random rng = instrument_rng.fork("noise");
    for (std::size_t i = 0; i < count; ++i) heights[i] += static_cast<float>(rng.gaussian() * instrument.noise_um);
  }
  if (instrument.spike_fraction > 0.0) {
    Random rng = instrument_rng.fork("spikes");
    const auto spikes = static_cast<std::int64_t>(std::llround(instrument.spike_fraction * static_cast<double>(count)));
    for (std::int64_t s = 0; s < spikes; ++s) {
      const auto i = static_cast<std::size_t>(rng.uniform_int(0, static_cast<std::int64_t>(count) - 1));
      const double sign = rng.chance(0.5) ? 1.0 : -1.0;
      heights[i] += static_cast<float>(sign * instrument.spike_height_um * rng.uniform(0.5, 1.0));
    }
  }
  map.normalize_missing();
  map.metadata.source_format = "synthetic";
  map.metadata.instrument = "ScarScope synthetic skin";

  SyntheticScan scan;
  scan.parameters = parameters;
  scan.preset = request.preset;
  scan.seed = request.seed;
  scan.width_mm = grid.width_mm();
  scan.height_mm = grid.height_mm();
  scan.spacing_um = grid.dx_mm * 1000.0;
  scan.requested_scar_count = request.scar_count;
  scan.form = form;
  scan.pose = pose;
  scan.scars = skin.scars;
  scan.scattered_missing_share = scattered_share;
  for (const FurrowDirection& d : skin.furrows) scan.furrow_directions_deg.push_back(d.angle_rad / kDegree);
  for (const Pore& pore : skin.pores) {
    double cx = 0.0;
    double cy = 0.0;
    pose_apply(pose, pore.x_mm, pore.y_mm, cx, cy);
    if (cx >= 0.0 && cy >= 0.0 && cx < grid.width_mm() && cy < grid.height_mm()) ++scan.pore_count_in_view;
  }
  for (std::size_t s = 0; s < skin.scars.size(); ++s) {
    progress_step(progress, "truth", 0.85 + 0.14 * static_cast<double>(s) / static_cast<double>(skin.scars.size()));
    const ScarPatch& patch = patches[s];
    bool any = false;
    if (!patch.empty()) {
      double largest = 0.0;
      cv::minMaxLoc(cv::abs(patch.contribution), nullptr, &largest);
      any = largest > 0.0;
    }
    if (!any) {
      scan.scars_out_of_view.push_back(skin.scars[s].id);
      continue;
    }
    ScarTruth truth = measure_scar(skin.scars[s], patch, grid, mask);
    if (truth.area_mm2 <= 0.0) {
      scan.scars_out_of_view.push_back(skin.scars[s].id);
      continue;
    }
    scan.truth.push_back(truth);
  }
  scan.map = std::move(map);
  report(request, progress, "done", 1.0);
  return scan;
}

std::uint64_t instrument_seed_for(std::uint64_t seed) { return mix64(seed ^ stable_hash("instrument")); }

}  // namespace

void pose_apply(const Pose& pose, double x_mm, double y_mm, double& out_x_mm, double& out_y_mm) {
  const double a = pose.rotation_deg * kDegree;
  const double c = std::cos(a);
  const double s = std::sin(a);
  const double dx = x_mm - pose.center_x_mm;
  const double dy = y_mm - pose.center_y_mm;
  out_x_mm = pose.center_x_mm + c * dx - s * dy + pose.shift_x_mm;
  out_y_mm = pose.center_y_mm + s * dx + c * dy + pose.shift_y_mm;
}

void pose_invert(const Pose& pose, double x_mm, double y_mm, double& out_x_mm, double& out_y_mm) {
  const double a = pose.rotation_deg * kDegree;
  const double c = std::cos(a);
  const double s = std::sin(a);
  const double dx = x_mm - pose.shift_x_mm - pose.center_x_mm;
  const double dy = y_mm - pose.shift_y_mm - pose.center_y_mm;
  out_x_mm = pose.center_x_mm + c * dx + s * dy;
  out_y_mm = pose.center_y_mm - s * dx + c * dy;
}

std::vector<ScarShape> generate_scars(const SynthRequest& request) {
  const Grid grid = grid_for(request.width_mm, request.height_mm, request.spacing_um);
  return place_scars(request, parameters_for(request), grid.width_mm(), grid.height_mm());
}

SyntheticScan generate_scan(const SynthRequest& request, const Progress* progress) {
  const Skin skin = make_skin(request, progress);
  RenderSetup setup;
  setup.grid = grid_for(request.width_mm, request.height_mm, request.spacing_um);
  setup.pose.center_x_mm = setup.grid.width_mm() / 2.0;
  setup.pose.center_y_mm = setup.grid.height_mm() / 2.0;
  setup.form = draw_form(Random(request.seed).fork("form"), skin.parameters.form, setup.grid);
  setup.instrument_seed = instrument_seed_for(request.seed);
  return render(skin, setup, request, progress);
}

SyntheticScan generate_followup(const SynthRequest& baseline, const FollowupRequest& followup, const Progress* progress) {
  if (!(followup.global_response > 0.0 && followup.global_response <= 5.0)) {
    throw InputError("response factor must be in (0, 5] (got " + std::to_string(followup.global_response) + ")");
  }
  Skin skin = make_skin(baseline, progress);
  for (const auto& [id, factor] : followup.per_scar) {
    const bool known = std::any_of(skin.scars.begin(), skin.scars.end(), [&](const ScarShape& s) { return s.id == id; });
    if (!known) throw InputError("response names scar " + std::to_string(id) + ", which the baseline does not have");
    if (!(factor > 0.0 && factor <= 5.0)) {
      throw InputError("response factor of scar " + std::to_string(id) + " must be in (0, 5] (got " +
                       std::to_string(factor) + ")");
    }
  }
  std::vector<double> factors;
  for (ScarShape& scar : skin.scars) {
    const auto it = followup.per_scar.find(scar.id);
    const double factor = it != followup.per_scar.end() ? it->second : followup.global_response;
    scar.depth_um *= factor;
    factors.push_back(factor);
  }
  RenderSetup setup;
  setup.grid = grid_for(baseline.width_mm, baseline.height_mm, baseline.spacing_um);
  const std::uint64_t visit_seed = mix64(followup.seed ^ stable_hash("followup"));
  if (followup.pose) {
    setup.pose = *followup.pose;
  } else {
    Random rng = Random(visit_seed).fork("pose");
    const double r = followup.max_shift_mm * std::sqrt(rng.uniform());
    const double a = rng.uniform(0.0, 2.0 * kPi);
    setup.pose.shift_x_mm = r * std::cos(a);
    setup.pose.shift_y_mm = r * std::sin(a);
    setup.pose.rotation_deg = rng.uniform(-followup.max_rotation_deg, followup.max_rotation_deg);
    setup.pose.center_x_mm = setup.grid.width_mm() / 2.0;
    setup.pose.center_y_mm = setup.grid.height_mm() / 2.0;
  }
  setup.form = draw_form(Random(visit_seed).fork("form"), skin.parameters.form, setup.grid);
  setup.instrument_seed = instrument_seed_for(visit_seed);
  SyntheticScan scan = render(skin, setup, baseline, progress);
  scan.is_followup = true;
  scan.followup_seed = followup.seed;
  for (ScarTruth& truth : scan.truth) {
    for (std::size_t s = 0; s < skin.scars.size(); ++s) {
      if (skin.scars[s].id == truth.id) truth.response_factor = factors[s];
    }
  }
  return scan;
}

}  // namespace scarscope::synth
