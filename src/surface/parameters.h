// ISO 25178-2 areal height and hybrid parameters, over the valid points of a height map.
#pragma once
#include <nlohmann/json_fwd.hpp>

#include "surface/height_map.h"

namespace scarscope {

struct SurfaceParameters {
  double Sa_um = 0, Sq_um = 0, Sp_um = 0, Sv_um = 0, Sz_um = 0;
  double Ssk = 0, Sku = 0;
  double Sdq = 0;      // root mean square gradient (dimensionless)
  double Sdr_pct = 0;  // developed interfacial area ratio, %
};

// How Sdq takes the surface's slope at the grid's points.
enum class SdqMethod {
  // Central differences (z[i+1] - z[i-1]) / 2dx where both neighbours along an axis are valid,
  // one-sided where only one is (the default, as ScarScope always reported).
  central_differences,
  // ISO 25178-2's two-point slope (z[i+1] - z[i]) / dx over every pair of valid neighbours along
  // each axis, as Gwyddion reports it: Sdq^2 = mean over x pairs of (dz/dx)^2 + mean over y pairs
  // of (dz/dy)^2. Steeper than central differences on fine relief (no two-point averaging).
  two_point,
};

// "central-differences" / "two-point", as in the analysis JSON's settings and `analyze --sdq`.
const char* sdq_method_name(SdqMethod method);

// Parameters of the surface as given (remove the form first). Heights are taken about their mean.
// Sdr sums the developed area of complete cells only (all four corners valid). Throws InputError
// if there are no valid points.
SurfaceParameters compute_surface_parameters(const HeightMap& map);
// The same with Sdq taken by `sdq`.
SurfaceParameters compute_surface_parameters(const HeightMap& map, SdqMethod sdq);

// Sdq by the two-point slope (SdqMethod::two_point); 0 where no two neighbouring points are valid.
double two_point_sdq(const HeightMap& map);

// {"Sa_um": .., "Sq_um": .., ..., "Sdr_pct": ..}: the "surface" object of the analysis JSON.
nlohmann::json surface_parameters_json(const SurfaceParameters& parameters);

namespace detail {
// compute_surface_parameters as compiled for baseline x86-64, whatever the processor: the public
// function takes an AVX2 copy of the same code where the processor has AVX2. For tests.
SurfaceParameters compute_surface_parameters_baseline(const HeightMap& map);
}  // namespace detail

}  // namespace scarscope
