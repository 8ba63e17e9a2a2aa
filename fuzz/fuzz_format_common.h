// One entry point for the height-map format fuzz targets (fuzz_tiff, fuzz_png, fuzz_csv,
// fuzz_xyz, fuzz_ply, fuzz_obj, fuzz_stl) and for the test that replays their seeds, corpus and crashers
// (tests/surface/test_formats_fuzz_corpus.cpp), so both run the readers exactly alike.
// An InputError is the right answer to bad bytes; anything else escaping, a crash, a leak or
// undefined behaviour is a bug. Whatever a reader returns must hold together.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "core/error.h"
#include "surface/formats/csv_format.h"
#include "surface/formats/obj_format.h"
#include "surface/formats/ply_format.h"
#include "surface/formats/png_format.h"
#include "surface/formats/tiff_format.h"
#include "surface/formats/stl_format.h"
#include "surface/formats/xyz_format.h"
#include "surface/height_map.h"
#include "surface/mesh_region.h"

namespace scarscope::fuzz {

inline void check_height_map(const HeightMap& map) {
  if (map.size() != static_cast<std::size_t>(map.nx()) * static_cast<std::size_t>(map.ny())) std::abort();
  if (!(map.dx_um() > 0.0) || !(map.dy_um() > 0.0) || !std::isfinite(map.dx_um()) || !std::isfinite(map.dy_um())) {
    std::abort();
  }
  for (std::size_t i = 0; i < map.size(); ++i) {
    if ((map.mask()[i] != 0) != std::isfinite(map.heights()[i])) std::abort();
  }
}

// Reads `bytes` as `format` ("tiff", "png", "csv", "xyz", "ply", "obj", "stl"). Units are
// micrometres (mm for CSV); a PNG gets a fixed sidecar; odd-sized inputs get a sidecar z_scale
// (TIFF: integer samples decode) or a fixed --spacing-um of 10 (XYZ, PLY, OBJ, STL), even-sized
// ones the default spacing. A mesh (OBJ, STL) is also read as a mesh and a region of it, 1 mm
// around its first vertex, made into a height map (convert --region).
// Returns false when the reader refused the input with an InputError.
inline bool read_format_bytes(std::string_view format, std::string_view bytes) {
  ReadOptions options;
  options.units = format == "csv" ? "mm" : "um";
  options.max_points = std::uint64_t{1} << 20;  // keeps each run fast; the limit logic is the same
  const bool odd = bytes.size() % 2 == 1;
  formats::Sidecar sidecar;
  sidecar.name = "fuzz.json";
  sidecar.z_scale = 0.01;
  sidecar.z_offset = -3.0;
  try {
    HeightMap map;
    if (format == "tiff") {
      options.spacing_um = 10.0;
      map = formats::read_tiff_bytes(bytes, "fuzz.tif", options, odd ? &sidecar : nullptr);
    } else if (format == "png") {
      sidecar.dx_um = 10.0;
      sidecar.dy_um = 10.0;
      map = formats::read_png_bytes(bytes, "fuzz.png", options, &sidecar);
    } else if (format == "csv") {
      options.spacing_um = 10.0;
      map = formats::read_csv_text(bytes, "fuzz.csv", options, nullptr);
    } else if (format == "xyz") {
      if (odd) options.spacing_um = 10.0;
      map = formats::read_xyz_text(bytes, "fuzz.xyz", options, nullptr);
    } else if (format == "ply") {
      if (odd) options.spacing_um = 10.0;
      map = formats::read_ply_bytes(bytes, "fuzz.ply", options, nullptr);
    } else if (format == "obj" || format == "stl") {
      if (odd) options.spacing_um = 10.0;
      const formats::Mesh mesh = format == "obj" ? formats::read_obj_mesh(bytes, "fuzz.obj", 1.0, options.max_points)
                                                 : formats::read_stl_mesh(bytes, "fuzz.stl", 1.0, options.max_points);
      try {
        MeshRegion region;
        region.centre_um = mesh.vertices.front();
        region.radius_um = 1000.0;
        check_height_map(mesh_region_height_map(mesh, region, options.spacing_um, options.max_points, "fuzz region").map);
      } catch (const InputError&) {
      }
      map = format == "obj" ? formats::read_obj_bytes(bytes, "fuzz.obj", options, nullptr)
                            : formats::read_stl_bytes(bytes, "fuzz.stl", options, nullptr);
    } else {
      std::abort();
    }
    check_height_map(map);
    return true;
  } catch (const InputError&) {
    return false;
  }
}

}  // namespace scarscope::fuzz
