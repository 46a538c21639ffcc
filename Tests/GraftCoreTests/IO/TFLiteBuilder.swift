import Foundation

/// A FlatBuffer value to serialize: tables keyed by field number, scalars, strings and vectors.
indirect enum FB: Sendable {
  case table([Int: FB])
  case u8(UInt8), i8(Int8), bool(Bool), i32(Int32), u32(UInt32), u64(UInt64), f32(Float)
  case string(String)
  case int32s([Int32]), int64s([Int64]), floats([Float]), bytes([UInt8])
  case tables([FB])
  /// A vector of `count` offsets that all point to one table (a crafted file that shares it).
  case repeated(FB, count: Int)

  var isScalar: Bool {
    switch self {
    case .u8, .i8, .bool, .i32, .u32, .u64, .f32: true
    default: false
    }
  }
}

/// A small FlatBuffer writer for tests (https://flatbuffers.dev/internals/), front to back: each
/// table's vtable is written just before it, then the table's inline fields (scalars aligned to
/// their size, u32 placeholders for references), then the referenced objects, whose offsets are
/// patched in (uoffsets point forward, as the format requires). Byte vectors start 16-aligned
/// (TFLite's `force_align: 16` on `Buffer.data`).
struct FlatBufferBuilder {
  private(set) var bytes: [UInt8] = []

  /// The buffer of `root` with `identifier` at bytes 4..<8.
  static func build(_ root: FB, identifier: String = "TFL3") -> [UInt8] {
    var builder = FlatBufferBuilder()
    builder.bytes = [0, 0, 0, 0] + Array(identifier.utf8.prefix(4))
    let position = builder.write(root)
    builder.patch(UInt32(position), at: 0)
    return builder.bytes
  }

  private mutating func align(_ n: Int, plus extra: Int = 0) {
    while (bytes.count + extra) % n != 0 { bytes.append(0) }
  }

  private mutating func append<T: FixedWidthInteger>(_ value: T) {
    withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
  }

  private mutating func patch<T: FixedWidthInteger>(_ value: T, at position: Int) {
    withUnsafeBytes(of: value.littleEndian) { raw in
      for (i, b) in raw.enumerated() { bytes[position + i] = b }
    }
  }

  private static func size(_ value: FB) -> Int {
    switch value {
    case .u8, .i8, .bool: 1
    case .i32, .u32, .f32: 4
    case .u64: 8
    default: 4  // a uoffset
    }
  }

  private mutating func scalar(_ value: FB) {
    switch value {
    case .u8(let v): append(v)
    case .i8(let v): append(v)
    case .bool(let v): append(UInt8(v ? 1 : 0))
    case .i32(let v): append(v)
    case .u32(let v): append(v)
    case .u64(let v): append(v)
    case .f32(let v): append(v.bitPattern)
    default: preconditionFailure("not a scalar")
    }
  }

  /// Writes `value` and returns its position (a table's start, or a vector's length field).
  @discardableResult
  mutating func write(_ value: FB) -> Int {
    switch value {
    case .table(let fields):
      let order = fields.keys.sorted()
      let slots = (order.last ?? -1) + 1
      align(2)
      let vtable = bytes.count
      bytes.append(contentsOf: [UInt8](repeating: 0, count: 4 + 2 * slots))
      align(8)
      let table = bytes.count
      append(Int32(table - vtable))
      var references: [(Int, FB)] = []
      // Larger fields first, so each lands aligned with little padding.
      for index in order.sorted(by: { Self.size(fields[$0]!) > Self.size(fields[$1]!) }) {
        let field = fields[index]!
        align(Self.size(field))
        patch(UInt16(bytes.count - table), at: vtable + 4 + 2 * index)
        if field.isScalar {
          scalar(field)
        } else {
          references.append((bytes.count, field))
          append(UInt32(0))
        }
      }
      patch(UInt16(4 + 2 * slots), at: vtable)
      patch(UInt16(bytes.count - table), at: vtable + 2)
      for (slot, child) in references {
        let position = write(child)
        patch(UInt32(position - slot), at: slot)
      }
      return table
    case .string(let s):
      align(4)
      let position = bytes.count
      append(UInt32(s.utf8.count))
      bytes.append(contentsOf: Array(s.utf8) + [0])
      return position
    case .int32s(let values):
      align(4)
      let position = bytes.count
      append(UInt32(values.count))
      for v in values { append(v) }
      return position
    case .floats(let values):
      align(4)
      let position = bytes.count
      append(UInt32(values.count))
      for v in values { append(v.bitPattern) }
      return position
    case .int64s(let values):
      align(8, plus: 4)
      let position = bytes.count
      append(UInt32(values.count))
      for v in values { append(v) }
      return position
    case .bytes(let values):
      align(16, plus: 4)
      let position = bytes.count
      append(UInt32(values.count))
      bytes.append(contentsOf: values)
      return position
    case .tables(let items):
      align(4)
      let position = bytes.count
      append(UInt32(items.count))
      let slots = items.indices.map { position + 4 + 4 * $0 }
      for _ in items { append(UInt32(0)) }
      for (slot, item) in zip(slots, items) {
        let child = write(item)
        patch(UInt32(child - slot), at: slot)
      }
      return position
    case .repeated(let item, let count):
      align(4)
      let position = bytes.count
      append(UInt32(count))
      for _ in 0..<count { append(UInt32(0)) }
      let child = write(item)
      for i in 0..<count {
        let slot = position + 4 + 4 * i
        patch(UInt32(child - slot), at: slot)
      }
      return position
    default:
      preconditionFailure("a scalar cannot be written on its own")
    }
  }
}

/// TFLite tables for tests, by the field numbers of schema.fbs.
enum TFLiteFB {
  static func model(
    version: UInt32 = 3, description: String? = "test", codes: [FB], tensors: [FB], operators: [FB] = [],
    buffers: [FB], inputs: [Int32] = [], outputs: [Int32] = [], metadata: [FB]? = nil, subgraphName: String = "main"
  ) -> [UInt8] {
    var fields: [Int: FB] = [
      0: .u32(version), 1: .tables(codes), 4: .tables(buffers),
      2: .tables([.table([0: .tables(tensors), 1: .int32s(inputs), 2: .int32s(outputs), 3: .tables(operators),
                          4: .string(subgraphName)])]),
    ]
    if let description { fields[3] = .string(description) }
    if let metadata { fields[6] = .tables(metadata) }
    return FlatBufferBuilder.build(.table(fields))
  }

  static func tensor(_ name: String, _ shape: [Int32], type: Int8, buffer: UInt32 = 0, quantization: FB? = nil) -> FB {
    var fields: [Int: FB] = [0: .int32s(shape), 1: .i8(type), 2: .u32(buffer), 3: .string(name)]
    if let quantization { fields[4] = quantization }
    return .table(fields)
  }

  static func quantization(scales: [Float], zeroPoints: [Int64]? = nil, axis: Int32 = 0) -> FB {
    var fields: [Int: FB] = [2: .floats(scales), 6: .i32(axis)]
    if let zeroPoints { fields[3] = .int64s(zeroPoints) }
    return .table(fields)
  }

  static func buffer(_ data: [UInt8]) -> FB { data.isEmpty ? .table([:]) : .table([0: .bytes(data)]) }

  /// An operator code with either or both code fields.
  static func code(deprecated: Int8? = nil, builtin: Int32? = nil, version: Int32 = 1, custom: String? = nil) -> FB {
    var fields: [Int: FB] = [2: .i32(version)]
    if let deprecated { fields[0] = .i8(deprecated) }
    if let builtin { fields[3] = .i32(builtin) }
    if let custom { fields[1] = .string(custom) }
    return .table(fields)
  }

  static func op(_ code: UInt32, inputs: [Int32], outputs: [Int32], optionsType: UInt8 = 0, options: FB? = nil) -> FB {
    var fields: [Int: FB] = [0: .u32(code), 1: .int32s(inputs), 2: .int32s(outputs)]
    if optionsType != 0 { fields[3] = .u8(optionsType) }
    if let options { fields[4] = options }
    return .table(fields)
  }

  /// Little-endian bytes of `values`.
  static func le<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
    values.flatMap { v in withUnsafeBytes(of: v.littleEndian, Array.init) }
  }
}
