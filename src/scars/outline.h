// The outline of a region of grid cells as the boundary of the cells themselves (their outer
// edges, through the cells' corners), not a line through the boundary cells' centres: the polygon
// encloses exactly the cells it outlines, so its area is theirs.
#pragma once
#include <array>
#include <cstdint>
#include <vector>

namespace scarscope {

// Rows r0..r1 and columns c0..c1 of a grid's set cells (r1 < 0: none).
struct CellBounds {
  int r0 = 0, r1 = -1, c0 = 0, c1 = -1;
};

// The bounding box of the set cells of `mask` (w x h, row-major, non-zero = set); with none set,
// r1 < 0 (and r0 = h, c0 = w). A row is tested whole first (an OR of its bytes, vectorised), and
// only rows with a set cell searched.
CellBounds set_bounds(const std::uint8_t* mask, int w, int h);

// The outer boundary of the set cells of `mask` (w x h, row-major, non-zero = set), as polygon
// corners in cell units with cell (row, col) centred on (col, row): its corners lie at half-integer
// positions. Cells touching only at a corner are joined (8-connectivity). Of several separate
// pieces the largest is outlined; holes inside it are enclosed. Points where the boundary runs
// straight on are left out. Empty when no cell is set.
std::vector<std::array<double, 2>> cell_boundary_outline(const std::uint8_t* mask, int w, int h);

}  // namespace scarscope
