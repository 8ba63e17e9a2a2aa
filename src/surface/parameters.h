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

// Parameters of the surface as given (remove the form first). Heights are taken about their mean.
// Throws InputError if there are no valid points.
SurfaceParameters compute_surface_parameters(const HeightMap& map);

// {"Sa_um": .., "Sq_um": .., ..., "Sdr_pct": ..}: the "surface" object of the analysis JSON.
nlohmann::json surface_parameters_json(const SurfaceParameters& parameters);

namespace detail {
// compute_surface_parameters as compiled for baseline x86-64, whatever the processor: the public
// function takes an AVX2 copy of the same code where the processor has AVX2. For tests.
SurfaceParameters compute_surface_parameters_baseline(const HeightMap& map);
}  // namespace detail

}  // namespace scarscope
