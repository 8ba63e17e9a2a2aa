// The overlay picture of an analysis: the skin relief as a shaded relief, each scar's outline in
// the colour of its type (ice pick red, boxcar orange, rolling blue, hypertrophic green) with its id.
#pragma once
#include <filesystem>

#include "core/bytes.h"

#include "scars/inventory.h"
#include "surface/height_map.h"

namespace scarscope {

// The colour (RGB) an overlay and reports draw a scar type in.
std::array<std::uint8_t, 3> scar_type_colour(ScarType type);

// The overlay PNG of `relief` (heights above the reference skin; any height map will do) with the
// scars' outlines and ids, as bytes (for a response or a store). Large scans are drawn at most 2400
// pixels across; outlines far off the picture are clipped, whatever numbers the inventory holds.
Bytes overlay_png(const HeightMap& relief, const ScarInventory& inventory);
// The same, written to a file; throws InputError naming the path if it cannot be written.
void write_overlay_png(const HeightMap& relief, const ScarInventory& inventory, const std::filesystem::path& path);

}  // namespace scarscope
