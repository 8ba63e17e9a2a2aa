// Height maps and checks shared by the format tests.
#pragma once
#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "core/error.h"
#include "surface/height_map.h"

namespace scarscope::test {

// A wavy surface with a few missing points: heights from about -40 to +160 micrometres.
inline HeightMap wavy_map(int nx = 37, int ny = 23, double dx = 12.5, double dy = 20.0) {
  HeightMap map(nx, ny, dx, dy);
  for (int r = 0; r < ny; ++r) {
    for (int c = 0; c < nx; ++c) {
      map.set(r, c, static_cast<float>(60.0 + 100.0 * std::sin(c * 0.3) * std::cos(r * 0.2) + 0.123456 * c));
    }
  }
  map.set_missing(0, 0);
  map.set_missing(5, 7);
  map.set_missing(ny - 1, nx - 1);
  return map;
}

// Same grid, same mask, every valid height within `tolerance` micrometres.
inline void expect_same_surface(const HeightMap& expected, const HeightMap& actual, double tolerance) {
  ASSERT_EQ(actual.nx(), expected.nx());
  ASSERT_EQ(actual.ny(), expected.ny());
  EXPECT_NEAR(actual.dx_um(), expected.dx_um(), 1e-9 * expected.dx_um());
  EXPECT_NEAR(actual.dy_um(), expected.dy_um(), 1e-9 * expected.dy_um());
  int mismatches = 0;
  for (int r = 0; r < expected.ny(); ++r) {
    for (int c = 0; c < expected.nx(); ++c) {
      if (expected.valid(r, c) != actual.valid(r, c)) {
        if (++mismatches < 5) ADD_FAILURE() << "validity differs at row " << r << ", column " << c;
        continue;
      }
      if (!expected.valid(r, c)) {
        EXPECT_TRUE(std::isnan(actual.height(r, c)));
        continue;
      }
      if (std::abs(expected.height(r, c) - actual.height(r, c)) > tolerance && ++mismatches < 5) {
        ADD_FAILURE() << "height at row " << r << ", column " << c << ": " << actual.height(r, c) << " instead of "
                      << expected.height(r, c);
      }
    }
  }
  EXPECT_EQ(mismatches, 0);
}

// Runs `action`, expects InputError, and returns its message (empty if none was thrown).
template <typename Action>
std::string input_error_message(Action&& action) {
  try {
    action();
  } catch (const InputError& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "expected InputError, got another exception: " << e.what();
    return {};
  }
  ADD_FAILURE() << "expected InputError, nothing was thrown";
  return {};
}

}  // namespace scarscope::test
