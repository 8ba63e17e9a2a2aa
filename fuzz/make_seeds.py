#!/usr/bin/python3
"""Writes the X3P fuzz seeds (fuzz/seeds/x3p/): small valid files of every kind the reader
accepts and malformed ones it must refuse. Independent of ScarScope (Python's zipfile)."""
import hashlib
import os
import struct
import sys
import zipfile

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds", "x3p")


def main_xml(sx, sy, ztype="D", feature="SUR", root="p:ISO5436_2", ns=True, cx_type="I", data_md5=None,
             valid=None, datalist=None, zinc="1", zoff="0", prolog="", bom=False, dx="1e-05"):
    nsdecl = ' xmlns:p="http://www.opengps.eu/2008/ISO5436_2"' if ns else ""
    link = ""
    if datalist is None:
        link = "<DataLink><PointDataLink>bindata/data.bin</PointDataLink>"
        link += f"<MD5ChecksumPointData>{data_md5 or ''}</MD5ChecksumPointData>"
        if valid is not None:
            link += f"<ValidPointsLink>bindata/valid.bin</ValidPointsLink><MD5ChecksumValidPoints>{valid}</MD5ChecksumValidPoints>"
        link += "</DataLink>"
    else:
        link = "<DataList>" + "".join(f"<Datum>{d}</Datum>" if d != "" else "<Datum/>" for d in datalist) + "</DataList>"
    text = (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<{root}{nsdecl}><Record1><Revision>ISO5436 - 2000</Revision>'
            f"<FeatureType>{feature}</FeatureType><Axes>"
            f"<CX><AxisType>{cx_type}</AxisType><DataType>D</DataType><Increment>{dx}</Increment><Offset>0</Offset></CX>"
            f"<CY><AxisType>I</AxisType><DataType>D</DataType><Increment>2e-05</Increment><Offset>0</Offset></CY>"
            f"<CZ><AxisType>A</AxisType><DataType>{ztype}</DataType><Increment>{zinc}</Increment><Offset>{zoff}</Offset></CZ>"
            f"</Axes></Record1><Record2><Date>2020-01-01T00:00:00</Date><Instrument><Manufacturer>M</Manufacturer>"
            f"<Model>X</Model><Serial>1</Serial><Version>1</Version></Instrument><Comment>seed</Comment></Record2>"
            f"<Record3><MatrixDimension><SizeX>{sx}</SizeX><SizeY>{sy}</SizeY><SizeZ>1</SizeZ></MatrixDimension>"
            f"{link}</Record3><Record4><ChecksumFile>md5checksum.hex</ChecksumFile></Record4></{root}>")
    data = text.encode()
    return (b"\xef\xbb\xbf" + data) if bom else data


def write(name, entries, prefix="", compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(os.path.join(OUT, name), "w", compression) as z:
        for entry, data in entries:
            info = zipfile.ZipInfo(prefix + entry, date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = compression
            z.writestr(info, data)


def x3p(name, xml, data=None, valid=None, prefix="", junk=False, compression=zipfile.ZIP_DEFLATED):
    entries = [("main.xml", xml)]
    if data is not None:
        entries.append(("bindata/data.bin", data))
    if valid is not None:
        entries.append(("bindata/valid.bin", valid))
    entries.append(("md5checksum.hex", (hashlib.md5(xml).hexdigest() + " *main.xml\n").encode()))
    if junk:
        entries.append(("bindata/.DS_Store", b"\0" * 64))
    write(name, entries, prefix, compression)
    if junk:
        with zipfile.ZipFile(os.path.join(OUT, name), "a") as z:
            z.writestr("__MACOSX/._main.xml", b"junk")


def main():
    os.makedirs(OUT, exist_ok=True)
    md5 = lambda b: hashlib.md5(b).hexdigest()
    # valid: float64, 4 x 3
    d = struct.pack("<12d", *[i * 1e-6 for i in range(12)])
    x3p("double.x3p", main_xml(4, 3, "D", data_md5=md5(d)), d)
    # valid: float32 with NaN and Inf, stored (uncompressed) so byte mutations reach the XML
    f = struct.pack("<6f", 1e-6, float("nan"), float("inf"), -2e-6, 0.0, float("-inf"))
    x3p("float_nan_inf.x3p", main_xml(3, 2, "F", data_md5=md5(f)), f, compression=zipfile.ZIP_STORED)
    # valid: int16 scaled by CZ Increment and Offset, with valid.bin (LSB first)
    i16 = struct.pack("<9h", -3, -2, -1, 0, 1, 2, 3, 4, 32767)
    bits = bytes([0b10110101, 0b1])
    x3p("int16_valid.x3p", main_xml(3, 3, "I", data_md5=md5(i16), valid=md5(bits), zinc="1e-07", zoff="1e-06"), i16, bits)
    # valid: int32, folder prefix, junk entries, BOM, no namespace, root ISO5436
    i32 = struct.pack("<4i", -100000, 0, 5, 2147483647)
    x3p("int32_folder_junk_bom.x3p",
        main_xml(2, 2, "L", root="ISO5436", ns=False, bom=True, data_md5=md5(i32), zinc="1e-09", zoff=""), i32,
        prefix="scan/", junk=True)
    # valid: inline DataList with a missing point
    x3p("datalist.x3p", main_xml(3, 2, "D", datalist=["1e-6", "", "-2e-6", "3e-6", "nan", "4e-6"]),
        compression=zipfile.ZIP_STORED)
    # stale checksums
    x3p("stale_checksum.x3p", main_xml(4, 3, "D", data_md5="0" * 32), d)
    # recognised but not supported
    x3p("profile.x3p", main_xml(4, 1, "D", feature="PRF", data_md5=md5(d[:32])), d[:32])
    x3p("absolute_axis.x3p", main_xml(4, 3, "D", cx_type="A", data_md5=md5(d)), d)
    # refused
    x3p("billion.x3p", main_xml(1000000000, 1, "D"), b"\0" * 100)
    x3p("short_data.x3p", main_xml(40, 30, "D"), d)
    x3p("wrong_type.x3p", main_xml(4, 3, "Q"), d)
    x3p("negative.x3p", main_xml(-4, 3, "D"), d)
    bomb = ('<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
            '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>')
    x3p("entity_bomb.x3p", main_xml(4, 3, "D", prolog=bomb).replace(b"<Comment>seed", b"<Comment>&lol3;"), d)
    write("no_main_xml.x3p", [("bindata/data.bin", d)])
    x3p("no_data.x3p", main_xml(4, 3, "D"))
    with open(os.path.join(OUT, "not_a_zip.x3p"), "wb") as out:
        out.write(b"this is not a zip archive\n")
    with open(os.path.join(OUT, "double.x3p"), "rb") as src, open(os.path.join(OUT, "truncated.x3p"), "wb") as out:
        whole = src.read()
        out.write(whole[: len(whole) // 2])
    print(f"seeds written to {OUT}: {len(os.listdir(OUT))} files", file=sys.stderr)


if __name__ == "__main__":
    main()
