// Bounded input: heights no skin has are refused before any analysis sizes a buffer or a loop by
// them. A file in the wrong units or with a corrupt patch (one patch at -1e9 um made `analyze` run
// for minutes in 15 GB and report a scar a kilometre deep) is an input error, not a measurement.
#pragma once
#include "surface/height_map.h"

namespace scarscope {

// After a quadratic form is removed (a face's curvature and the scan's tilt), skin relief stays
// far within 20 mm of its median: the deepest atrophic scars are a few millimetres deep and
// keloids rise less than a centimetre, while a wrong unit (metres read as micrometres, say) or a
// corrupt value lies orders of magnitude beyond.
inline constexpr double kMaxReliefUm = 20000.0;
// Heights are float micrometres, which hold skin relief to 0.06 um within 1 m of zero; no skin
// scanner reports heights further from its origin (a file in nanometres read as micrometres does).
inline constexpr double kMaxHeightUm = 1e6;

// Throws InputError(ErrorCode::out_of_range, field "heights") naming the scan (its source file,
// else "scan") and the farthest point when a valid height lies more than max_relief_um from the
// median after a least-squares quadratic (fitted to at most about 250 000 of the valid points) is
// removed, or further than kMaxHeightUm from zero. The relief is not checked for a map with fewer
// than 6 valid points. One pass over the map.
void check_height_range(const HeightMap& map, double max_relief_um = kMaxReliefUm);

}  // namespace scarscope
