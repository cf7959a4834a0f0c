"""The pytest plugin (entry point ``testdata``): options, ini keys, markers, fixtures, header, summary.

Thin on purpose: settings come from :mod:`pytest_testdata.config`, calls from
:mod:`pytest_testdata.fixture`, marker parsing from :mod:`pytest_testdata.markers`, and the engine is
built on first use, so loading the plugin imports nothing heavy.
"""

from __future__ import annotations

import sys
from collections.abc import Generator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from pytest_testdata.config import OPTIONS, Settings, resolve, source_of
from pytest_testdata.datasets.db import testdata_db, testdata_db_engine  # noqa: F401 (fixtures; no SQLAlchemy import)
from pytest_testdata.errors import MissingDependencyError, TestdataError, TestdataUsageError
from pytest_testdata.fixture import TestdataFactory, check_config_keys, merge_defaults
from pytest_testdata.markers import MARKER_HELP, MarkerSpec, fixture_named, parse_marker
from pytest_testdata.report import RunStats, replay_text
from pytest_testdata.seeding import choose_session_seed, derive_seed, reseed_libraries

if TYPE_CHECKING:
    from pytest_testdata.agent.client import AgentClient, ProjectEntity
    from pytest_testdata.cache import TestdataCache
    from pytest_testdata.fixture import EngineLike
    from pytest_testdata.generators.traditional.kinds import ValueKinds
    from pytest_testdata.schemas.registry import SchemaRegistry

SEED_CACHE_KEY = "testdata/seed"


class SessionState:
    """Per-session state: settings, the session seed, run statistics and the (lazy) engine."""

    def __init__(self, settings: Settings, seed: int, seed_note: str, rootdir: Path,
                 config: pytest.Config | None = None) -> None:
        self.config = config
        self.settings = settings
        self.seed = seed
        self.seed_note = seed_note
        self.rootdir = rootdir
        self.stats = RunStats()
        self._registry: SchemaRegistry | None = None
        self._engine: EngineLike | None = None
        self._client: AgentClient | None = None
        self.cache: TestdataCache | None = None
        """Built from the settings at configure time (Redis shares it across xdist workers)."""
        self.value_kinds: ValueKinds | None = None
        """Kinds registered by ``pytest_testdata_register_value_kinds``, taken back at the session's end."""

    @property
    def schema_dirs(self) -> list[Path]:
        return [(self.rootdir / d) for d in self.settings.schemas]

    @property
    def registry(self) -> SchemaRegistry:
        """The schema registry markers check entities against at collection (plus the agent's, if remote)."""
        if self._registry is None:
            from pytest_testdata.schemas.registry import SchemaRegistry

            registry = SchemaRegistry(self.schema_dirs, max_depth=self.settings.get("max_depth"))
            if self.config is not None:
                # Schemas a conftest.py or plugin registers (hookspecs.pytest_testdata_register_schemas).
                self.config.hook.pytest_testdata_register_schemas(registry=registry, config=self.config)
                self._register_value_kinds()
            if self.settings.remote is not None:
                # The agent generates with its own schemas, so its definitions are the ones that count.
                registry.extend(self.remote_client().schemas())
            self._registry = registry
        return self._registry

    def _register_value_kinds(self) -> None:
        """Kinds of value a conftest.py or plugin adds (hookspecs.pytest_testdata_register_value_kinds)."""
        assert self.config is not None
        if not self.config.hook.pytest_testdata_register_value_kinds.get_hookimpls():
            return  # nothing registered: the generator's modules are not even imported here
        from pytest_testdata.generators.traditional.kinds import ValueKinds

        self.value_kinds = ValueKinds()
        self.config.hook.pytest_testdata_register_value_kinds(kinds=self.value_kinds, config=self.config)

    def remote_client(self) -> AgentClient:
        """The client of the agent named by --testdata-remote (remote mode), built once."""
        if self._client is None:
            from pytest_testdata.agent.client import AgentClient

            s = self.settings
            assert s.remote is not None
            self._client = AgentClient(s.remote, token=s.get("remote_token"), tls=bool(s.get("remote_tls")),
                                       root_certificates=s.get("remote_ca"),
                                       timeout=float(s.get("remote_timeout") or 120),
                                       max_depth=s.get("max_depth"))
            self._client.listeners.append(self.stats)
            self._client.project_entities = self._project_entities
        return self._client

    def _project_entities(self, name: str | None) -> list[ProjectEntity]:
        """The entities this project defines itself that the agent lacks: ``name``'s, or all when None.

        A file of the project's schema folders that does not load raises its load error for the entity asked
        for by name, as in local mode; when all are wanted (a dataset), broken files are left out and only an
        entity the dataset needs fails, on the agent, as unknown."""
        from pytest_testdata.agent.client import ProjectEntity

        registry = self.registry  # built now if no marker needed it yet (it asks the agent for its schemas)
        found: list[ProjectEntity] = []
        for entity in ([name] if name is not None else registry.names()):
            if entity not in registry:
                continue
            try:
                schema = registry.get(entity)
            except TestdataUsageError:
                if name is not None:
                    raise
                continue
            if not schema.source.startswith("agent:"):  # the agent's own definition counts (see registry)
                found.append(ProjectEntity(schema, registry.binding(entity)))
        return found

    @property
    def engine(self) -> EngineLike:
        """The engine every fixture and marker uses, built on first use (the agent's client if remote)."""
        if self._engine is None and self.settings.remote is not None:
            self._engine = self.remote_client()
        if self._engine is None:
            from pytest_testdata.engine import Engine

            engine = Engine(self.registry, options=dict(self.settings.extra), cache=self.cache)
            if self.config is not None:
                providers = custom_providers(self.config)
                if providers:
                    engine.options["provider_factories"] = providers
            # rootdir: what a relative store path (testdata_store_path) is relative to.
            engine.options.update(settings=self.settings, rootdir=str(self.rootdir))
            engine.listeners.append(self.stats)
            self._engine = engine
        return self._engine

    def defaults(self) -> dict[str, Any]:
        """Call defaults from the command line, environment and ini."""
        options = {"email_domains": "real"} if self.settings.get("email_domains") == "real" else None
        coverage = self.settings.get("coverage")
        return merge_defaults({"strategy": self.settings.strategy, "locale": self.settings.locale,
                               "options": options, "strict": not self.settings.get("best_effort", False),
                               "coverage": coverage if coverage not in (None, "all") else None})


STATE = pytest.StashKey[SessionState]()
FACTORY = pytest.StashKey["TestdataFactory"]()
"""The test's ``testdata`` factory (its results name the calls in a failure's replay section)."""


def state_of(config: pytest.Config) -> SessionState:
    return config.stash[STATE]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("testdata", "pytest-testdata: realistic, coherent and reproducible test data")
    for option in OPTIONS:
        twins = f"ini: {option.ini}" + (f"; env: {', '.join(option.env)}" if option.env else "")
        allowed = f" Allowed: {', '.join(option.choices)}." if option.choices else ""
        text = f"{option.help}.{allowed} ({twins})"
        dest = f"testdata_{option.name}"
        if option.kind == "bool":
            group.addoption(option.flag, action="store_true", default=None, dest=dest, help=text)
        elif option.kind == "list":
            group.addoption(option.flag, action="append", default=None, dest=dest,
                            metavar=option.metavar or "VALUE", help=text)
        else:
            group.addoption(option.flag, default=None, dest=dest,
                            metavar=option.metavar or option.name.upper(), help=text)
        parser.addini(option.ini, help=f"{option.help}.{allowed}", type=option.ini_type,  # type: ignore[arg-type]
                      default=None)


def _settings(config: pytest.Config) -> tuple[Settings, bool]:
    """The session's settings, and whether the seed was set on purpose (flag, environment or ini)."""
    cli = {o.name: config.getoption(f"testdata_{o.name}") for o in OPTIONS}
    ini: dict[str, Any] = {}
    for option in OPTIONS:
        try:
            ini[option.name] = config.getini(option.ini)
        except ValueError as exc:
            raise TestdataUsageError(f"ini option {option.ini}: {exc}.") from None
    return resolve(cli, ini), source_of("seed", cli, ini) is not None


def _session_seed(config: pytest.Config, settings: Settings, explicit: bool) -> tuple[int, str]:
    """See :func:`pytest_testdata.seeding.choose_session_seed` (the order is documented there)."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput is not None and "testdata_seed" in workerinput:
        return int(workerinput["testdata_seed"]), "from the xdist controller"
    cache = getattr(config, "cache", None)
    last = cache.get(SEED_CACHE_KEY, None) if cache is not None else None
    randomly = config.getoption("randomly_seed", None) if config.pluginmanager.hasplugin("randomly") else None
    rerun_failed = bool(config.getoption("lf", False) or config.getoption("failedfirst", False))
    return choose_session_seed(settings.seed, explicit=explicit, rerun_failed=rerun_failed,
                               last=last if isinstance(last, int) else None,
                               randomly=randomly if isinstance(randomly, int) else None)


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    """Register the ``pytest_testdata_*`` hooks (:mod:`pytest_testdata.hookspecs`)."""
    from pytest_testdata import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


@pytest.hookimpl(trylast=True)  # after pytest-randomly's, whose resolved seed the session may adopt
def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", MARKER_HELP)
    try:
        settings, seed_given = _settings(config)
    except TestdataUsageError as exc:
        raise pytest.UsageError(f"pytest-testdata: {exc}") from None
    _check_strategy_built(settings.strategy)
    for folder in settings.schemas:
        if not (config.rootpath / folder).exists():
            raise pytest.UsageError(
                f"pytest-testdata: schema path {folder!r} (from --testdata-schemas, TESTDATA_SCHEMA_DIRS "
                f"or the testdata_schemas ini option) does not exist under the rootdir "
                f"{str(config.rootpath)!r}. "
                "Create it or fix the path; paths (schema files or folders) are relative to the rootdir."
            )
    result_cache = None
    if settings.remote is None:  # in remote mode the agent caches; no local engine runs
        try:
            from pytest_testdata.cache import build_cache

            result_cache = build_cache(settings, memory_by_default=False)
        except (TestdataUsageError, MissingDependencyError) as exc:
            raise pytest.UsageError(f"pytest-testdata: {exc}") from None
    seed, note = _session_seed(config, settings, seed_given)
    cache = getattr(config, "cache", None)
    if cache is not None and not hasattr(config, "workerinput"):
        cache.set(SEED_CACHE_KEY, seed)
    state = SessionState(settings, seed, note, config.rootpath, config)
    state.cache = result_cache
    config.stash[STATE] = state
    from pytest_testdata.schemas.registry import set_project_registry

    set_project_registry(lambda: state.registry)  # module-level factory_for("x") sees the project's schemas
    if settings.remote is not None and not hasattr(config, "workerinput") and not config.getoption("help", False):
        _check_remote(state)
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(XdistHooks(config), "testdata-xdist")


def _check_remote(state: SessionState) -> None:
    """Reach the agent once, at session start, so a dead address is one clear error, not one per test."""
    try:
        state.remote_client().check()
    except TestdataError as exc:
        raise pytest.UsageError(f"pytest-testdata: --testdata-remote {state.settings.remote}: {exc}") from None
    except ImportError as exc:
        raise pytest.UsageError(
            f"pytest-testdata: {MissingDependencyError(exc.name or 'grpcio', 'agent', 'remote mode')}"
        ) from None


def _check_strategy_built(strategy: str) -> None:
    """A default strategy that is designed but not built fails the run now, not every test later."""
    from pytest_testdata.generators.base import GENERATORS, PLANNED

    if strategy == "auto" or strategy in GENERATORS:
        return
    raise pytest.UsageError(
        f"pytest-testdata: strategy {strategy!r} (from --testdata-strategy, TESTDATA_STRATEGY or the "
        f"testdata_strategy ini option) is not available in this version: {PLANNED.get(strategy, strategy)} "
        f"is not built yet. Available: auto, {', '.join(sorted(GENERATORS))}. Use auto or traditional."
    )


def pytest_report_header(config: pytest.Config) -> str:
    state = state_of(config)
    s = state.settings
    parts = [f"seed {state.seed} ({state.seed_note}; replay with --testdata-seed {state.seed})",
             f"strategy {s.strategy}"]
    if s.locale:
        parts.append(f"locale {s.locale}")
    if s.schemas:
        parts.append(f"schema paths {', '.join(s.schemas)}")
        if s.remote is None:
            broken = state.registry.file_errors
            if broken:
                parts.append(f"{len(broken)} unreadable schema file(s) ({'; '.join(e.file for e in broken)}: "
                             "the tests that use their entities fail)")
    if s.remote:
        parts.append(f"remote agent {s.remote}")
    if state.cache is not None:
        parts.append(f"cache {state.cache.backend.describe()}")
    if s.get("best_effort"):
        parts.append("best effort (records that break a constraint are returned, not failed)")
    if s.offline:
        parts.append("offline (LLM cassettes replay only)")
    elif s.record_mode != "none":
        parts.append(f"LLM cassettes record mode {s.record_mode}")
    return "testdata: " + ", ".join(parts)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    markers = list(metafunc.definition.iter_markers("testdata"))
    if not markers:
        return
    state = state_of(metafunc.config)
    problem = None
    for marker in markers:
        try:
            _check_marker(metafunc, state, marker)
        except TestdataUsageError as exc:
            problem = str(exc)
            break
    if problem is not None:
        # Raised outside the except block so that pytest shows the message alone, without a chain.
        pytest.fail(problem, pytrace=False)


def _check_marker(metafunc: pytest.Metafunc, state: SessionState, marker: pytest.Mark) -> None:
    """Check a marker completely at collection (no generation) and parametrize invalid variants."""
    where = metafunc.definition.nodeid
    spec = parse_marker(marker.args, marker.kwargs, where)
    if spec.argname not in metafunc.fixturenames:
        raise TestdataUsageError(
            f"{where}: @pytest.mark.testdata({spec.entity!r}) fills the argument {spec.argname!r}, "
            f"but the test has no such parameter. Add `{spec.argname}` to the test's signature or "
            "pass name='<argument>' to the marker."
        )
    shadowed = fixture_named(metafunc, spec.argname)
    if shadowed is not None:
        raise TestdataUsageError(
            f"{where}: @pytest.mark.testdata({spec.entity!r}) would fill the argument {spec.argname!r}, but "
            f"the fixture {spec.argname!r} ({shadowed}) already provides it, and the marker would silently "
            f"replace it. Pass name='<another argument>' to the marker (and add that argument to the test), "
            f"or rename the fixture."
        )
    from pytest_testdata.errors import UnknownEntityError
    from pytest_testdata.quality.constraints import check_constraints
    from pytest_testdata.types import GenerationRequest

    try:
        if spec.model is not None:
            state.registry.register_model(spec.model)
        try:
            schema = state.registry.get(spec.entity)
        except UnknownEntityError:
            raise
        except TestdataUsageError:
            return  # the entity's schema does not load: the test using it errors at setup, no other
        count = spec.count if spec.count is not None else 1
        request = GenerationRequest.checked(spec.entity, count, **spec.kwargs)
        constraints = check_constraints(schema, request.constraints)
    except TestdataUsageError as exc:
        raise TestdataUsageError(f"{where}: @pytest.mark.testdata({spec.entity!r}, ...): {exc}") from None
    if spec.invalid:
        from pytest_testdata.quality.invalid import breakable_rules

        rules = breakable_rules(schema, constraints)
        metafunc.parametrize(spec.argname, [r.id for r in rules], ids=[f"invalid-{r.id}" for r in rules])


def custom_providers(config: pytest.Config) -> dict[str, Any]:
    """LLM providers registered through ``pytest_testdata_register_providers`` (name -> factory)."""
    from pytest_testdata.hookspecs import ProviderRegistry

    providers = ProviderRegistry()
    config.hook.pytest_testdata_register_providers(providers=providers, config=config)
    return dict(providers.factories)


def _marker_value(factory: TestdataFactory, spec: MarkerSpec, item: pytest.Item) -> Any:
    kwargs = dict(spec.kwargs)
    if spec.invalid:
        callspec = getattr(item, "callspec", None)
        rule = callspec.params[spec.argname] if callspec is not None else None
        kwargs["options"] = {**(kwargs.get("options") or {}), "break": rule}
    # The model itself, not only its name: in remote mode the agent learns the model from the call.
    entity = spec.model if spec.model is not None else spec.entity
    result = factory.result(entity, spec.count if spec.count is not None else 1,
                            _salt=f"marker {spec.argname}", **kwargs)
    return factory.deliver(spec.model if spec.model is not None else spec.entity, result,
                           many=spec.count is not None, invalid=spec.invalid)


@pytest.fixture(autouse=True)
def _testdata_autouse(request: pytest.FixtureRequest) -> None:
    """Reseed Faker and factory_boy per test; fill arguments named by ``testdata`` markers."""
    state = state_of(request.config)
    reseed_libraries(derive_seed(state.seed, request.node.nodeid))
    markers = list(request.node.iter_markers("testdata"))
    if not markers:
        return
    factory: TestdataFactory = request.getfixturevalue("testdata")
    problem = None
    for marker in markers:
        spec = parse_marker(marker.args, marker.kwargs, request.node.nodeid)
        try:
            value = _marker_value(factory, spec, request.node)
        except TestdataError as exc:
            problem = f"{request.node.nodeid}: @pytest.mark.testdata({spec.entity!r}, ...): {exc}"
            break
        # Filling funcargs before pytest reaches the argument is how the marker supplies a value for a
        # name that no fixture defines; autouse fixtures are always set up first.
        request.node.funcargs[spec.argname] = value
    if problem is not None:
        pytest.fail(problem, pytrace=False)


@pytest.fixture
def testdata_config() -> dict[str, Any]:
    """Override in a conftest.py (or module, or class) to set call defaults for the tests below it.

    Keys: strategy, constraints, context, hints, learn_from_history, defect_triggering, locale, options,
    strict (False: best effort for the tests below), coverage (the shapes of records: docs/schemas.md).
    Calls and markers override these; these override the command line, environment and ini.
    """
    return {}


@pytest.fixture
def testdata_cassette_config() -> dict[str, Any]:
    """Override in a conftest.py (or module, or class) to adjust the generation cassettes of the tests below
    it, as pytest-recording's ``vcr_config``. Keys: cassette_dir, filter_headers, filter_query_parameters,
    filter_post_data_parameters, before_record_request, before_record_response (docs/llm.md)."""
    return {}


@pytest.fixture
def testdata_seed(request: pytest.FixtureRequest) -> int:
    """This test's seed: derived from the session seed and the test's node id."""
    return derive_seed(state_of(request.config).seed, request.node.nodeid)


@pytest.fixture
def testdata(request: pytest.FixtureRequest, testdata_config: dict[str, Any],
             testdata_seed: int, testdata_cassette_config: dict[str, Any]) -> TestdataFactory:
    """Generate records: ``testdata("cart")`` for one, ``testdata("user", count=5)`` for a list.

    ``testdata.result(...)`` returns the records with their metadata; ``testdata.results`` lists every
    result of the test.
    """
    state = state_of(request.config)
    try:
        check_config_keys(testdata_config, "testdata_config fixture")
    except TestdataError as exc:
        pytest.fail(str(exc), pytrace=False)
    defaults = merge_defaults(state.defaults(), testdata_config)
    factory = TestdataFactory(lambda: state.engine, testdata_seed, defaults,
                              _runtime_options(request, state, testdata_cassette_config))
    request.node.stash[FACTORY] = factory
    return factory


def _runtime_options(request: pytest.FixtureRequest, state: SessionState,
                     cassette_config: dict[str, Any]) -> dict[str, Any]:
    """The test's node id, its cassette path (one file per test: xdist workers never share one) and the
    ``testdata_cassette_config`` fixture's settings."""
    from pytest_testdata.recording.keys import CASSETTE_CONFIG_KEYS, cassette_path_for

    unknown = sorted(set(cassette_config) - set(CASSETTE_CONFIG_KEYS))
    if unknown:
        pytest.fail(f"testdata_cassette_config fixture: unknown key(s) {', '.join(map(repr, unknown))}. "
                    f"Allowed: {', '.join(CASSETTE_CONFIG_KEYS)}. The record mode comes from "
                    "--testdata-record-mode (ini testdata_record_mode).", pytrace=False)
    nodeid = request.node.nodeid
    folder = cassette_config.get("cassette_dir") or state.settings.cassette_dir
    path = cassette_path_for(nodeid, state.rootdir, folder)
    # The record mode and offline travel with the request: remote mode sends them to the agent with the cassette.
    return {"_test": nodeid, "_cassette": str(path), "_cassette_config": dict(cassette_config),
            "_record_mode": state.settings.record_mode, "_offline": bool(state.settings.offline)}


@pytest.hookimpl(wrapper=True)
def pytest_pyfunc_call(pyfuncitem: pytest.Function) -> Generator[None, object, object]:
    """Reseed Faker and factory_boy right before the test body runs.

    After pytest-randomly's own reseed (its ``pytest_runtest_call``), so the testdata seed governs the test
    body with or without randomly, serial or under xdist. The offset differs from setup's, so the body
    does not repeat what fixtures drew.
    """
    state = pyfuncitem.config.stash.get(STATE, None)
    if state is not None:
        reseed_libraries(derive_seed(state.seed, pyfuncitem.nodeid, "call"))
    return (yield)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    """Add a ``testdata`` section to the report of a failed test that used test data: how to replay it."""
    report = yield
    if report.failed and STATE in item.config.stash:
        section = replay_section(item)
        if section:
            report.sections.append(("testdata", section))
    return report


def replay_section(item: pytest.Item) -> str | None:
    """The command that reruns this test on the same data, and the calls it made (None if it used none)."""
    fixtures = getattr(item, "fixturenames", ())
    factory = item.stash.get(FACTORY, None)
    if factory is None and "testdata_seed" not in fixtures and not any(item.iter_markers("testdata")):
        return None
    state = state_of(item.config)
    randomly = item.config.getoption("randomly_seed") if item.config.pluginmanager.hasplugin("randomly") else None
    return replay_text(item.nodeid, state.seed, factory.results if factory is not None else [],
                       randomly_seed=randomly, remote=state.settings.remote)


def pytest_runtest_teardown(item: pytest.Item) -> None:
    """Save the test's generation cassette, if an LLM call opened one (only then is vcrpy loaded)."""
    cassettes = sys.modules.get("pytest_testdata.recording.cassettes")
    if cassettes is None or STATE not in item.config.stash:
        return
    cassettes.BOOK.close_test(item.nodeid)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    state = config.stash.get(STATE, None)
    if state is None or not state.stats.requests or state.settings.summary == "none":
        return
    terminalreporter.write_sep("-", f"testdata (session seed {state.seed})")
    for line in state.stats.lines(full=state.settings.summary == "full"):
        terminalreporter.write_line(line)


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(STATE, None)
    if state is not None:
        from pytest_testdata.schemas.registry import set_project_registry

        set_project_registry(None)
    if state is not None and state.value_kinds is not None:
        state.value_kinds.undo()
    if state is not None and state.cache is not None:
        state.cache.close()
    if state is not None and state._client is not None:
        state._client.close()


def pytest_sessionfinish(session: pytest.Session) -> None:
    workeroutput = getattr(session.config, "workeroutput", None)
    state = session.config.stash.get(STATE, None)
    if workeroutput is not None and state is not None:
        workeroutput["testdata_stats"] = state.stats.as_dict()


class XdistHooks:
    """Registered only when pytest-xdist is present: one session seed for all workers, merged stats."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config

    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput["testdata_seed"] = state_of(self.config).seed

    def pytest_testnodedown(self, node: Any, error: Any) -> None:
        data = getattr(node, "workeroutput", {}).get("testdata_stats")
        if data:
            state_of(self.config).stats.merge(data)

