// The comparison picture: baseline and follow-up side by side, each scar outlined in the colour of
// its status and labelled with its baseline id (its identity across visits), and the registered
// difference map coloured by change (blue where the skin rose, red where it sank).
#pragma once
#include <filesystem>

#include "core/bytes.h"

#include "followup/comparison.h"
#include "scars/inventory.h"
#include "surface/height_map.h"

namespace scarscope {

// The picture as PNG bytes (for a response or a store); outlines far off the panels are clipped,
// whatever numbers the inventories hold.
Bytes comparison_overlay_png(const HeightMap& baseline, const ScarInventory& baseline_scars,
                                    const HeightMap& followup, const ScarInventory& followup_scars,
                                    const VisitComparison& comparison);
// The same, written to a file. Throws InputError naming the path if the PNG cannot be written.
void write_comparison_overlay(const HeightMap& baseline, const ScarInventory& baseline_scars, const HeightMap& followup,
                              const ScarInventory& followup_scars, const VisitComparison& comparison,
                              const std::filesystem::path& path);

}  // namespace scarscope
