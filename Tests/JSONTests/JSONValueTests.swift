import JSON
import XCTest

final class JSONValueTests: XCTestCase {
    func testLiterals() {
        let value: JSON = ["s": "x", "i": 3, "d": 1.0, "b": true, "a": [1], "n": nil]
        XCTAssertEqual(
            value,
            .object(
                JSONObject([
                    ("s", .string("x")), ("i", .int(3)), ("d", .double(1)), ("b", .bool(true)),
                    ("a", .array([.int(1)])), ("n", .null),
                ])))
    }

    func testAccessors() {
        XCTAssertEqual(JSON.string("x").stringValue, "x")
        XCTAssertNil(JSON.int(1).stringValue)
        XCTAssertEqual(JSON.int(5).intValue, 5)
        XCTAssertEqual(JSON.double(5).intValue, 5)
        XCTAssertNil(JSON.double(5.5).intValue)
        XCTAssertNil(JSON.double(1e300).intValue)
        XCTAssertNil(JSON.double(.nan).intValue)
        XCTAssertNil(JSON.string("5").intValue)
        XCTAssertEqual(JSON.int(5).doubleValue, 5)
        XCTAssertEqual(JSON.double(2.5).doubleValue, 2.5)
        XCTAssertNil(JSON.bool(true).doubleValue)
        XCTAssertEqual(JSON.bool(false).boolValue, false)
        XCTAssertNil(JSON.null.boolValue)
        XCTAssertEqual(JSON.array([1]).arrayValue, [1])
        XCTAssertNil(JSON.null.arrayValue)
        XCTAssertEqual(JSON.object(["a": 1]).objectValue, ["a": 1])
        XCTAssertNil(JSON.array([]).objectValue)
        XCTAssertTrue(JSON.null.isNull)
        XCTAssertFalse(JSON.int(0).isNull)
    }

    func testSubscripts() {
        let value: JSON = ["list": [10, 20], "obj": ["k": "v"]]
        XCTAssertEqual(value["list"]?[1], 20)
        XCTAssertNil(value["list"]?[2])
        XCTAssertNil(value["list"]?[-1])
        XCTAssertEqual(value["obj"]?["k"], "v")
        XCTAssertNil(value["missing"])
        XCTAssertNil(value["list"]?["k"])
        XCTAssertNil(value[0])
    }

    func testSubscriptSetter() {
        var value: JSON = ["a": 1, "b": 2]
        value["c"] = 3
        value["a"] = "one"
        value["b"] = nil
        XCTAssertEqual(value.jsonString, #"{"a":"one","c":3}"#)
        value["c"] = .null
        XCTAssertEqual(value.jsonString, #"{"a":"one","c":null}"#)
        value["a"]?["x"] = 1  // not an object: no-op
        XCTAssertEqual(value["a"], "one")

        var nested: JSON = ["params": ["name": "t"]]
        nested["params"]?["name"] = "u"
        XCTAssertEqual(nested, ["params": ["name": "u"]])

        var notObject: JSON = .null
        notObject["a"] = 1
        XCTAssertEqual(notObject, .null)
        var array: JSON = [1]
        array["a"] = 1
        XCTAssertEqual(array, [1])
    }

    func testObjectAPI() {
        var object = JSONObject()
        XCTAssertTrue(object.isEmpty)
        object["b"] = 1
        object["a"] = 2
        object["b"] = 3
        XCTAssertEqual(object.count, 2)
        XCTAssertFalse(object.isEmpty)
        XCTAssertEqual(object.keys, ["b", "a"])
        XCTAssertEqual(object.map { "\($0.key)=\($0.value)" }, ["b=3", "a=2"])
        object["b"] = nil
        object["missing"] = nil
        XCTAssertEqual(object.keys, ["a"])
        XCTAssertEqual(JSONObject([("x", 1), ("y", 2), ("x", 3)]).keys, ["x", "y"])
        XCTAssertEqual(JSONObject([("x", 1), ("y", 2), ("x", 3)])["x"], 3)
        let literal: JSONObject = ["k": 1, "j": 2]
        XCTAssertEqual(literal.keys, ["k", "j"])
        XCTAssertEqual(literal.description, #"{"k":1,"j":2}"#)
    }

    func testLargeObjectsKeepOrderThroughEdits() {
        var object = JSONObject()
        for number in 0..<50 { object["k\(number)"] = .int(Int64(number)) }
        for number in stride(from: 0, to: 50, by: 3) { object["k\(number)"] = nil }
        object["k1"] = "changed"
        object["new"] = true
        let expectedKeys = (0..<50).filter { $0 % 3 != 0 }.map { "k\($0)" } + ["new"]
        XCTAssertEqual(object.keys, expectedKeys)
        XCTAssertEqual(object["k1"], "changed")
        XCTAssertEqual(object["k2"], 2)
        XCTAssertNil(object["k3"])
        for number in 0..<50 { object["k\(number)"] = nil }
        XCTAssertEqual(object.keys, ["new"])
        XCTAssertEqual(object["new"], true)
    }

    func testIntAndDoubleAreDistinct() {
        XCTAssertNotEqual(JSON.int(1), JSON.double(1))
        XCTAssertEqual(Set<JSON>([.int(1), .double(1), .int(1)]).count, 2)
    }

    func testObjectEqualityIgnoresOrderAndHashAgrees() throws {
        let first = try JSON.parse(#"{"a":1,"b":[1,2],"c":{"x":null,"y":true}}"#)
        let second = try JSON.parse(#"{"c":{"y":true,"x":null},"b":[1,2],"a":1}"#)
        XCTAssertEqual(first, second)
        XCTAssertEqual(first.hashValue, second.hashValue)
        XCTAssertNotEqual(first, try JSON.parse(#"{"a":1,"b":[2,1],"c":{"x":null,"y":true}}"#))
        XCTAssertNotEqual(first, try JSON.parse(#"{"a":1,"b":[1,2]}"#))
        XCTAssertNotEqual(first, try JSON.parse(#"{"a":1,"b":[1,2],"d":{"x":null,"y":true}}"#))
        XCTAssertNotEqual(JSON.object(["a": 1, "b": 2]), JSON.object(["a": 1, "c": 2]))
        XCTAssertEqual(Set([first, second]).count, 1)
    }

    func testSendable() async {
        let value: JSON = ["a": [1, 2]]
        let copy = await Task.detached { value }.value
        XCTAssertEqual(copy, value)
    }
}
