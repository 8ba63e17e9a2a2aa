// Scoring an analysis (and a follow-up comparison) against the truth of a synthetic scan:
// detection (precision, recall, F1), typing (confusion per width band), measurement errors,
// false positives per cm2, and for follow-ups registration and change errors.
#pragma once
#include <filesystem>
#include <functional>
#include <nlohmann/json_fwd.hpp>
#include <string>

namespace scarscope::synth {

// A found scar matches a true one when its centroid lies within max(kMinMatchRadiusMm, half the
// true diameter) of the true centroid; pairs are made nearest first, one to one.
inline constexpr double kMinMatchRadiusMm = 0.6;

// Width bands of the true diameter (mm) used by the confusion matrices; "1.5-2" and "4-5" are the
// bands where the types' widths overlap (Jacob 2001), so only shape tells them apart there.
std::string width_band(double diameter_mm);

// Scores an analysis JSON (the "scars" of DESIGN.md) against a truth JSON.
// Throws InputError naming the field when either is not of the expected shape.
nlohmann::json evaluate_analysis(const nlohmann::json& truth, const nlohmann::json& result);

// Scores a follow-up comparison (DESIGN.md's follow-up JSON) against a follow-up truth.
nlohmann::json evaluate_followup(const nlohmann::json& followup_truth, const nlohmann::json& compare);

// Every NAME.truth.json in `folder` with its NAME.analysis.json (and, for follow-up truths, its
// NAME.compare.json), aggregated overall and per preset. Missing results are listed, not scored.
nlohmann::json evaluate_suite(const std::filesystem::path& folder,
                              const std::function<void(const std::string&)>& progress = {});

// A short plain-text report of any of the three.
std::string evaluation_text(const nlohmann::json& report);

}  // namespace scarscope::synth
