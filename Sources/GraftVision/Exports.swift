// `Image`, the pixel operations and PNG (GraftImage) are part of GraftVision's API — image
// folders yield them, classifiers take them — so `import GraftVision` brings them along, as
// SwiftNIO's `NIO` re-exports `NIOCore`.
@_exported import GraftImage
