#include "synth/scar_shape.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace scarscope::synth {
namespace {

// 1 + sum_k a_k cos(k theta + phase_k) for k = 2..5, with (cos theta, sin theta) given: the
// powers of e^(i theta) are built by complex multiplication instead of calling cos per term.
double outline_modulation(const ScarShape& scar, double cos_theta, double sin_theta) {
  double re = cos_theta * cos_theta - sin_theta * sin_theta;  // e^(2 i theta)
  double im = 2.0 * cos_theta * sin_theta;
  double m = 1.0;
  for (std::size_t k = 0; k < scar.undulation.size(); ++k) {
    m += scar.undulation[k] * (re * scar.phase_cos[k] - im * scar.phase_sin[k]);
    const double next_re = re * cos_theta - im * sin_theta;
    im = re * sin_theta + im * cos_theta;
    re = next_re;
  }
  return m;
}

double undulation_sum(const ScarShape& scar) {
  double sum = 0.0;
  for (const double a : scar.undulation) sum += std::abs(a);
  return sum;
}

}  // namespace

std::string type_name(ScarType type) {
  switch (type) {
    case ScarType::ice_pick: return "ice_pick";
    case ScarType::boxcar: return "boxcar";
    case ScarType::rolling: return "rolling";
    case ScarType::hypertrophic: return "hypertrophic";
  }
  return "boxcar";
}

std::string profile_name(ScarType type) {
  switch (type) {
    case ScarType::ice_pick: return "V";
    case ScarType::boxcar: return "U";
    case ScarType::rolling: return "M";
    case ScarType::hypertrophic: return "dome";
  }
  return "U";
}

double base_profile(const ScarShape& scar, double u) {
  if (u >= 1.0) return 0.0;
  if (u < 0.0) u = 0.0;
  switch (scar.type) {
    case ScarType::ice_pick: {
      // A tapering cone: the point of the V at the centre; a rounded tip is a parabola inside
      // u < t meeting the cone with its value and slope, scaled so the deepest point stays at 1.
      const double e = scar.shape_exponent;
      const double t = scar.tip_rounding;
      if (!(t > 0.0)) return std::pow(1.0 - u, e);
      const double at_t = std::pow(1.0 - t, e);
      const double slope = e * std::pow(1.0 - t, e - 1.0);
      const double top = at_t + slope * t / 2.0;
      if (u >= t) return std::pow(1.0 - u, e) / top;
      return (at_t + slope * (t * t - u * u) / (2.0 * t)) / top;
    }
    case ScarType::boxcar: {
      // A flat floor, then a steep smooth wall up to the rim.
      if (u <= scar.floor_fraction) return 1.0;
      const double s = (u - scar.floor_fraction) / (1.0 - scar.floor_fraction);
      return 1.0 - s * s * (3.0 - 2.0 * s);
    }
    case ScarType::rolling:
      // Sloping walls all the way: a raised cosine.
      return std::pow(0.5 * (1.0 + std::cos(std::numbers::pi * u)), scar.shape_exponent);
    case ScarType::hypertrophic:
      return std::pow(1.0 - u * u, scar.shape_exponent);
  }
  return 0.0;
}

void finish_shape(ScarShape& scar) {
  // The base profiles fall monotonically from 1 to 0: bisect for the rim.
  double low = 0.0;
  double high = 1.0;
  for (int i = 0; i < 60; ++i) {
    const double mid = 0.5 * (low + high);
    if (base_profile(scar, mid) >= kRimFraction) {
      low = mid;
    } else {
      high = mid;
    }
  }
  scar.rim_u = low;
  const double ratio = std::clamp(scar.axis_ratio, 0.2, 1.0);
  // Area of the rim ellipse pi * a * b * rim_u^2 equals that of the nominal diameter.
  scar.semi_major_mm = scar.diameter_mm / (2.0 * scar.rim_u * std::sqrt(ratio));
  scar.semi_minor_mm = scar.semi_major_mm * ratio;
  scar.bounding_radius_mm = scar.semi_major_mm * (1.0 + undulation_sum(scar));
  scar.orientation_cos = std::cos(scar.orientation_deg * std::numbers::pi / 180.0);
  scar.orientation_sin = std::sin(scar.orientation_deg * std::numbers::pi / 180.0);
  for (std::size_t k = 0; k < scar.undulation.size(); ++k) {
    scar.phase_cos[k] = std::cos(scar.undulation_phase[k]);
    scar.phase_sin[k] = std::sin(scar.undulation_phase[k]);
  }
}

double scar_contribution_um(const ScarShape& scar, double x_mm, double y_mm, double* profile) {
  if (profile) *profile = 0.0;
  const double dx = x_mm - scar.x_mm;
  const double dy = y_mm - scar.y_mm;
  if (dx * dx + dy * dy >= scar.bounding_radius_mm * scar.bounding_radius_mm) return 0.0;
  const double c = scar.orientation_cos;
  const double s = scar.orientation_sin;
  const double qx = (dx * c + dy * s) / scar.semi_major_mm;
  const double qy = (-dx * s + dy * c) / scar.semi_minor_mm;
  const double rho = std::sqrt(qx * qx + qy * qy);
  const double u = rho > 0.0 ? rho / outline_modulation(scar, qx / rho, qy / rho) : 0.0;
  if (u >= 1.0) return 0.0;
  double p = base_profile(scar, u);
  switch (scar.type) {
    case ScarType::boxcar: {
      const double tilt = scar.floor_tilt_deg * std::numbers::pi / 180.0;
      p *= 1.0 + scar.floor_tilt * (qx * std::cos(tilt) + qy * std::sin(tilt));
      break;
    }
    case ScarType::rolling: {
      double lift = 0.0;
      for (const Tether& t : scar.tethers) {
        const double ex = qx - t.x;
        const double ey = qy - t.y;
        lift += t.strength * std::exp(-(ex * ex + ey * ey) / (2.0 * t.width * t.width));
      }
      p *= std::max(0.0, 1.0 - lift);
      break;
    }
    default:
      break;
  }
  if (profile) *profile = std::clamp(p, 0.0, 1.0);
  const double sign = scar.type == ScarType::hypertrophic ? 1.0 : -1.0;
  return sign * scar.depth_um * p;
}

double extent_radius_mm(const ScarShape& scar, double direction_rad) {
  // Walk out along the direction until the contribution falls below the rim fraction.
  const double step = scar.bounding_radius_mm / 200.0;
  double last_inside = 0.0;
  for (int i = 1; i <= 200; ++i) {
    const double r = step * i;
    const double z = scar_contribution_um(scar, scar.x_mm + r * std::cos(direction_rad),
                                          scar.y_mm + r * std::sin(direction_rad));
    if (std::abs(z) >= kRimFraction * scar.depth_um) last_inside = r;
  }
  return last_inside;
}

}  // namespace scarscope::synth
