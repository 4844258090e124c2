import JSON

extension Router {
    /// Every alias in effect, by name, and whether it was set at run time (stored) or comes from settings.
    public var aliasList: [(alias: AliasDefinition, runtime: Bool)] {
        aliases.keys.sorted().map { (aliases[$0]!, runtimeAliasNames.contains($0)) }
    }

    public func alias(named name: String) -> AliasDefinition? { aliases[name] }

    /// Creates or replaces an alias, effective on the next request, and persists it. Fails when a target names an
    /// unconfigured provider or the name clashes with a provider/model id.
    public func setAlias(_ alias: AliasDefinition, completion: @escaping (Result<Void, RoutingError>) -> Void) {
        for (index, target) in alias.allTargets.enumerated() where settings.providers[target.model.provider] == nil {
            let known = settings.providers.keys.sorted().joined(separator: ", ")
            return completion(
                .failure(
                    .invalidRequest(
                        "target \(index + 1) \"\(target.model)\": unknown provider \"\(target.model.provider)\" (configured: \(known.isEmpty ? "none" : known))",
                        parameter: "targets")))
        }
        if let classifier = alias.classifierModel, settings.providers[classifier.provider] == nil {
            return completion(
                .failure(
                    .invalidRequest("classifier_model \"\(classifier)\": unknown provider", parameter: "classifier_model")))
        }
        let previous = aliases[alias.name]
        let wasRuntime = runtimeAliasNames.contains(alias.name)
        aliasEdits += 1
        aliases[alias.name] = alias
        runtimeAliasNames.insert(alias.name)
        guard let aliasStore else { return completion(.success(())) }
        aliasStore.saveAlias(alias) { [weak self] error in
            guard let error else { return completion(.success(())) }
            // Not stored: undo, so memory and the database never disagree.
            if let self {
                self.aliases[alias.name] = previous
                if !wasRuntime { self.runtimeAliasNames.remove(alias.name) }
            }
            completion(
                .failure(
                    RoutingError(
                        status: 500, type: "server_error", code: "store_failed",
                        message: "could not save alias \(alias.name): \(error)")))
        }
    }

    /// Re-reads the run-time aliases, so ones another process on the same database set or deleted apply here from
    /// the next request. A read that overlapped a change made here is dropped (the next one sees it).
    public func reloadAliases(completion: @escaping (Error?) -> Void) {
        guard let aliasStore else { return completion(nil) }
        let edits = aliasEdits
        aliasStore.reloadAliases { [weak self] result in
            guard let self else { return completion(nil) }
            switch result {
            case .failure(let error): completion(error)
            case .success(let stored):
                guard edits == self.aliasEdits else { return completion(nil) }
                var merged: [String: AliasDefinition] = [:]
                for alias in self.settings.aliases { merged[alias.name] = alias }
                for alias in stored { merged[alias.name] = alias }
                self.aliases = merged
                self.runtimeAliasNames = Set(stored.map(\.name))
                completion(nil)
            }
        }
    }

    /// Deletes a run-time alias. Aliases from the settings file are changed by editing the file.
    public func deleteAlias(named name: String, completion: @escaping (Result<Void, RoutingError>) -> Void) {
        guard let existing = aliases[name] else {
            return completion(
                .failure(
                    RoutingError(
                        status: 404, type: "invalid_request_error", code: "alias_not_found",
                        message: "no alias named \"\(name)\"", parameter: "name")))
        }
        guard runtimeAliasNames.contains(name) else {
            return completion(
                .failure(
                    .invalidRequest(
                        "alias \"\(name)\" is defined in \(settings.source); edit that file to change it",
                        parameter: "name")))
        }
        let fromSettings = settings.aliases.first { $0.name == name }
        aliasEdits += 1
        aliases[name] = fromSettings
        runtimeAliasNames.remove(name)
        guard let aliasStore else { return completion(.success(())) }
        aliasStore.deleteAlias(named: name) { [weak self] error in
            guard let error else { return completion(.success(())) }
            if let self {
                self.aliases[name] = existing
                self.runtimeAliasNames.insert(name)
            }
            completion(
                .failure(
                    RoutingError(
                        status: 500, type: "server_error", code: "store_failed",
                        message: "could not delete alias \(name): \(error)")))
        }
    }
}
