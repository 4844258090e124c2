/// The Store target: SQLite behind the routing core's protocols. (Filled in by the storage work.)
enum StoreNamespace {}
