// libzip: reading zip archives (stored and deflated entries, zip64, CRC checks).
// pkg-config `libzip` supplies the include path. Only GraftCore's ZipArchive.swift calls it.
#include <zip.h>
