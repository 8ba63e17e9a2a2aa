// Small builders for grading tests: measured scars as the analysis writes them, and lookups of a row.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <string>

#include "grading/grading.h"
#include "scars/inventory.h"

namespace scarscope::test {

// A measured, round scar of the given equivalent diameter and depth (or height).
inline Scar measured_scar(int id, ScarType type, double diameter_mm, double depth_um) {
  Scar scar;
  scar.id = id;
  scar.type = type;
  scar.confidence = 0.9;
  scar.diameter_mm = diameter_mm;
  scar.area_mm2 = std::numbers::pi * diameter_mm * diameter_mm / 4.0;
  scar.major_mm = diameter_mm;
  scar.minor_mm = diameter_mm;
  scar.depth_um = depth_um;
  scar.mean_depth_um = depth_um / 2.0;
  return scar;
}

// An inventory of one scanned 4 x 4 cm patch.
inline ScarInventory scanned() {
  ScarInventory inventory;
  inventory.coverage_cm2 = 16.0;
  inventory.scans = {"cheek.x3p"};
  return inventory;
}

inline void add_scars(ScarInventory& inventory, int n, ScarType type, double diameter_mm, double depth_um) {
  for (int i = 0; i < n; ++i) {
    const int id = static_cast<int>(inventory.scars.size()) + 1;
    inventory.scars.push_back(measured_scar(id, type, diameter_mm, depth_um));
  }
}

inline const GradeItem& row(const ScaleGrade& grade, const std::string& id) {
  for (const GradeItem& item : grade.items) {
    if (item.id == id) return item;
  }
  ADD_FAILURE() << "no row " << id;
  static const GradeItem none;
  return none;
}

inline bool lists(const std::vector<std::string>& missing, const std::string& input) {
  for (const std::string& entry : missing) {
    if (entry == input) return true;
  }
  return false;
}

}  // namespace scarscope::test
