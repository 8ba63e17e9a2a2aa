// Typing a measured scar as ice pick, boxcar, rolling or hypertrophic from its morphology, with a
// confidence and a one-line reason a clinician can read. Jacob's width bands overlap (ice pick
// < 2 mm, boxcar 1.5-4 mm, rolling > 4-5 mm), so the profile decides where widths cannot:
// a flat floor behind steep walls (U), walls tapering to a point (V), or sloping walls (M).
#pragma once
#include <string>

#include "scars/analysis_settings.h"
#include "scars/inventory.h"
#include "scars/measurement.h"

namespace scarscope {

struct ScarTyping {
  ScarType type = ScarType::boxcar;
  std::string profile;  // "V", "U", "M", "dome"
  double confidence = 0.0;
  std::string reason;
};

ScarTyping classify_scar(const ScarMeasurement& measurement, const ClassificationSettings& settings);

}  // namespace scarscope
