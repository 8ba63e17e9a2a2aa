#include "scars/outline.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace scarscope {

CellBounds set_bounds(const std::uint8_t* mask, int w, int h) {
  CellBounds b;
  b.r0 = h;
  b.c0 = w;
  for (int row = 0; row < h; ++row) {
    const std::uint8_t* line = mask + static_cast<std::size_t>(row) * static_cast<std::size_t>(w);
    std::uint8_t any = 0;
    for (int col = 0; col < w; ++col) any |= line[col];
    if (!any) continue;
    int first = 0, last = w - 1;
    while (!line[first]) ++first;
    while (!line[last]) --last;
    b.r0 = std::min(b.r0, row);
    b.r1 = row;
    b.c0 = std::min(b.c0, first);
    b.c1 = std::max(b.c1, last);
  }
  return b;
}

std::vector<std::array<double, 2>> cell_boundary_outline(const std::uint8_t* mask, int w, int h) {
  // Corner (x, y), x in 0..w, y in 0..h, is the top-left corner of cell (row y, col x). Every set
  // cell's side facing an unset cell (or the edge) is an edge, directed clockwise on screen (rows
  // down): top left-to-right, right downwards, bottom right-to-left, left upwards.
  const auto set = [&](int row, int col) {
    return row >= 0 && col >= 0 && row < h && col < w && mask[static_cast<std::size_t>(row) * static_cast<std::size_t>(w) + static_cast<std::size_t>(col)] != 0;
  };
  struct Edge {
    int x0, y0, x1, y1;
    bool used = false;
  };
  std::vector<Edge> edges;
  // The set cells' bounding box: only it is walked.
  const auto [r0, r1, c0, c1] = set_bounds(mask, w, h);
  if (r1 < 0) return {};
  for (int row = r0; row <= r1; ++row)
    for (int col = c0; col <= c1; ++col) {
      if (!set(row, col)) continue;
      if (!set(row - 1, col)) edges.push_back({col, row, col + 1, row});
      if (!set(row, col + 1)) edges.push_back({col + 1, row, col + 1, row + 1});
      if (!set(row + 1, col)) edges.push_back({col + 1, row + 1, col, row + 1});
      if (!set(row, col - 1)) edges.push_back({col, row + 1, col, row});
    }
  // Start corner -> the edges leaving it: at most two (cells meeting only at that corner), in a
  // table over the box's corners. (Which of two comes first does not matter: one is a left turn.)
  const int corners_across = c1 - c0 + 2;
  const auto key = [&](int x, int y) {
    return static_cast<std::size_t>(y - r0) * static_cast<std::size_t>(corners_across) + static_cast<std::size_t>(x - c0);
  };
  constexpr std::size_t kNone = static_cast<std::size_t>(-1);
  std::vector<std::array<std::size_t, 2>> leaving(static_cast<std::size_t>(r1 - r0 + 2) * static_cast<std::size_t>(corners_across),
                                                  {kNone, kNone});
  for (std::size_t e = 0; e < edges.size(); ++e) {
    auto& slots = leaving[key(edges[e].x0, edges[e].y0)];
    slots[slots[0] == kNone ? 0 : 1] = e;
  }

  std::vector<std::array<int, 2>> best;
  double best_area = 0.0;
  std::vector<std::array<int, 2>> loop;
  for (std::size_t first = 0; first < edges.size(); ++first) {
    if (edges[first].used) continue;
    loop.clear();
    std::size_t current = first;
    while (!edges[current].used) {
      Edge& edge = edges[current];
      edge.used = true;
      loop.push_back({edge.x0, edge.y0});
      // Where two edges leave a corner (cells meeting only there), turn left: on screen, with the
      // cells on the right of the way round, that keeps to the diagonal neighbour (8-connectivity).
      const int dx = edge.x1 - edge.x0, dy = edge.y1 - edge.y0;
      std::size_t next = edges.size();
      for (const std::size_t e : leaving[key(edge.x1, edge.y1)]) {
        if (e == kNone) break;
        const Edge& candidate = edges[e];
        if (candidate.used && e != first) continue;
        const int ndx = candidate.x1 - candidate.x0, ndy = candidate.y1 - candidate.y0;
        const bool left_turn = ndx == dy && ndy == -dx;
        if (next == edges.size() || left_turn) next = e;
      }
      if (next == edges.size()) break;  // cannot happen on a closed boundary; stop safely
      current = next;
    }
    double twice_area = 0.0;
    for (std::size_t i = 0; i < loop.size(); ++i) {
      const auto& a = loop[i];
      const auto& b = loop[(i + 1) % loop.size()];
      twice_area += static_cast<double>(a[0]) * b[1] - static_cast<double>(b[0]) * a[1];
    }
    if (std::abs(twice_area) / 2.0 > best_area) {
      best_area = std::abs(twice_area) / 2.0;
      best = loop;
    }
  }
  // Only the corners where the boundary turns.
  std::vector<std::array<double, 2>> outline;
  const std::size_t n = best.size();
  for (std::size_t i = 0; i < n; ++i) {
    const auto& previous = best[(i + n - 1) % n];
    const auto& here = best[i];
    const auto& next = best[(i + 1) % n];
    const long cross = static_cast<long>(here[0] - previous[0]) * (next[1] - here[1]) -
                       static_cast<long>(here[1] - previous[1]) * (next[0] - here[0]);
    if (cross != 0) outline.push_back({here[0] - 0.5, here[1] - 0.5});
  }
  return outline;
}

}  // namespace scarscope
