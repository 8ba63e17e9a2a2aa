// The scars of an analysis as CSV, one row per scar, for spreadsheets and statistics packages.
// Columns carry their units in their names; a hypertrophic scar fills height_um, not depth_um.
#pragma once
#include <string>

#include "scars/inventory.h"

namespace scarscope {

// The header line (with newline).
std::string scar_csv_header();
// One line per scar (each with newline); `scan` fills the first column.
std::string scar_csv_rows(const ScarInventory& inventory, const std::string& scan);

}  // namespace scarscope
