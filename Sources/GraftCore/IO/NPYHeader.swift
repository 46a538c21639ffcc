/// The three keys of a `.npy` header, checked as NumPy's `_read_array_header` checks them.
struct NPYHeader {
  let shape: [Int]
  let dtype: NPYDType
  /// Bytes of data the header promises.
  let byteCount: Int

  static func parse(
    _ text: [UInt8], utf8: Bool, _ fail: (NPYError.Reason) -> NPYError
  ) throws(NPYError) -> NPYHeader {
    let literal: PythonLiteral
    do throws(PythonLiteralError) {
      literal = try PythonLiteralParser.parse(text, utf8: utf8)
    } catch {
      throw fail(.malformedHeader(error.description))
    }
    guard case .dict(let items) = literal else { throw fail(.malformedHeader("not a dict")) }
    var values: [String: PythonLiteral] = [:]
    for (key, value) in items {
      guard case .string(let name) = key, ["descr", "fortran_order", "shape"].contains(name) else {
        throw fail(.malformedHeader("unexpected key \(key)"))
      }
      values[name] = value  // a repeated key keeps the last value, as in Python
    }
    for name in ["descr", "fortran_order", "shape"] where values[name] == nil {
      throw fail(.malformedHeader("missing key '\(name)'"))
    }

    guard case .tuple(let dims)? = values["shape"] else {
      throw fail(.malformedHeader("shape is not a tuple: \(values["shape"].map(\.description) ?? "")"))
    }
    var shape: [Int] = []
    for d in dims {
      guard case .int(let n) = d else { throw fail(.malformedHeader("shape is not a tuple of ints")) }
      shape.append(n)
    }
    guard shape.allSatisfy({ $0 >= 0 }) else {
      throw fail(.malformedHeader("negative dimension in shape \(shape)"))
    }
    guard case .bool(let fortranOrder)? = values["fortran_order"] else {
      throw fail(.malformedHeader("fortran_order is not a bool"))
    }
    guard case .string(let descr)? = values["descr"] else {
      throw fail(.unsupportedDType(values["descr"].map(\.description) ?? ""))
    }
    guard let dtype = NPYDType(descr: descr) else { throw fail(.unsupportedDType(descr)) }
    // Column-major bytes equal row-major ones when at most one dimension exceeds 1.
    if fortranOrder && shape.filter({ $0 > 1 }).count > 1 { throw fail(.fortranOrder(shape: shape)) }

    var byteCount = dtype.byteCount
    for d in shape {
      let (product, overflow) = byteCount.multipliedReportingOverflow(by: d)
      guard !overflow else { throw fail(.malformedHeader("shape \(shape) is too large")) }
      byteCount = product
    }
    guard Shape.nonZeroProductFits(shape, elementBytes: dtype.byteCount) else {
      throw fail(.malformedHeader("shape \(shape) is too large"))
    }
    return NPYHeader(shape: shape, dtype: dtype, byteCount: byteCount)
  }
}
