from google.protobuf import struct_pb2 as _struct_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class GenerateDataRequest(_message.Message):
    __slots__ = ("entity", "count", "strategy", "constraints", "context", "hints", "seed", "variant", "learn_from_history", "defect_triggering", "locale", "options", "batch_size", "cassette", "schemas")
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    CONSTRAINTS_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_FIELD_NUMBER: _ClassVar[int]
    HINTS_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    VARIANT_FIELD_NUMBER: _ClassVar[int]
    LEARN_FROM_HISTORY_FIELD_NUMBER: _ClassVar[int]
    DEFECT_TRIGGERING_FIELD_NUMBER: _ClassVar[int]
    LOCALE_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    BATCH_SIZE_FIELD_NUMBER: _ClassVar[int]
    CASSETTE_FIELD_NUMBER: _ClassVar[int]
    SCHEMAS_FIELD_NUMBER: _ClassVar[int]
    entity: str
    count: int
    strategy: str
    constraints: _struct_pb2.Struct
    context: str
    hints: _containers.RepeatedScalarFieldContainer[str]
    seed: int
    variant: str
    learn_from_history: bool
    defect_triggering: bool
    locale: str
    options: _struct_pb2.Struct
    batch_size: int
    cassette: Cassette
    schemas: _containers.RepeatedCompositeFieldContainer[InlineSchema]
    def __init__(self, entity: _Optional[str] = ..., count: _Optional[int] = ..., strategy: _Optional[str] = ..., constraints: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., context: _Optional[str] = ..., hints: _Optional[_Iterable[str]] = ..., seed: _Optional[int] = ..., variant: _Optional[str] = ..., learn_from_history: _Optional[bool] = ..., defect_triggering: _Optional[bool] = ..., locale: _Optional[str] = ..., options: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., batch_size: _Optional[int] = ..., cassette: _Optional[_Union[Cassette, _Mapping]] = ..., schemas: _Optional[_Iterable[_Union[InlineSchema, _Mapping]]] = ...) -> None: ...

class InlineSchema(_message.Message):
    __slots__ = ("name", "json_schema", "digest", "source", "max_depth")
    NAME_FIELD_NUMBER: _ClassVar[int]
    JSON_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    DIGEST_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    MAX_DEPTH_FIELD_NUMBER: _ClassVar[int]
    name: str
    json_schema: str
    digest: str
    source: str
    max_depth: int
    def __init__(self, name: _Optional[str] = ..., json_schema: _Optional[str] = ..., digest: _Optional[str] = ..., source: _Optional[str] = ..., max_depth: _Optional[int] = ...) -> None: ...

class Cassette(_message.Message):
    __slots__ = ("record_mode", "interactions_yaml", "existed", "offline", "test", "path", "occurrences", "config_json", "replayed", "recorded", "scope")
    class OccurrencesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    RECORD_MODE_FIELD_NUMBER: _ClassVar[int]
    INTERACTIONS_YAML_FIELD_NUMBER: _ClassVar[int]
    EXISTED_FIELD_NUMBER: _ClassVar[int]
    OFFLINE_FIELD_NUMBER: _ClassVar[int]
    TEST_FIELD_NUMBER: _ClassVar[int]
    PATH_FIELD_NUMBER: _ClassVar[int]
    OCCURRENCES_FIELD_NUMBER: _ClassVar[int]
    CONFIG_JSON_FIELD_NUMBER: _ClassVar[int]
    REPLAYED_FIELD_NUMBER: _ClassVar[int]
    RECORDED_FIELD_NUMBER: _ClassVar[int]
    SCOPE_FIELD_NUMBER: _ClassVar[int]
    record_mode: str
    interactions_yaml: str
    existed: bool
    offline: bool
    test: str
    path: str
    occurrences: _containers.ScalarMap[str, int]
    config_json: str
    replayed: int
    recorded: int
    scope: str
    def __init__(self, record_mode: _Optional[str] = ..., interactions_yaml: _Optional[str] = ..., existed: _Optional[bool] = ..., offline: _Optional[bool] = ..., test: _Optional[str] = ..., path: _Optional[str] = ..., occurrences: _Optional[_Mapping[str, int]] = ..., config_json: _Optional[str] = ..., replayed: _Optional[int] = ..., recorded: _Optional[int] = ..., scope: _Optional[str] = ...) -> None: ...

class Violation(_message.Message):
    __slots__ = ("record", "field", "rule", "message")
    RECORD_FIELD_NUMBER: _ClassVar[int]
    FIELD_FIELD_NUMBER: _ClassVar[int]
    RULE_FIELD_NUMBER: _ClassVar[int]
    MESSAGE_FIELD_NUMBER: _ClassVar[int]
    record: int
    field: str
    rule: str
    message: str
    def __init__(self, record: _Optional[int] = ..., field: _Optional[str] = ..., rule: _Optional[str] = ..., message: _Optional[str] = ...) -> None: ...

class ResultMetadata(_message.Message):
    __slots__ = ("entity", "count", "strategy", "reason", "seed", "coherence", "coherence_scores", "violations", "cache_hit", "cassette", "provider", "model", "timings", "details_json")
    class TimingsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: float
        def __init__(self, key: _Optional[str] = ..., value: _Optional[float] = ...) -> None: ...
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    COHERENCE_FIELD_NUMBER: _ClassVar[int]
    COHERENCE_SCORES_FIELD_NUMBER: _ClassVar[int]
    VIOLATIONS_FIELD_NUMBER: _ClassVar[int]
    CACHE_HIT_FIELD_NUMBER: _ClassVar[int]
    CASSETTE_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_FIELD_NUMBER: _ClassVar[int]
    MODEL_FIELD_NUMBER: _ClassVar[int]
    TIMINGS_FIELD_NUMBER: _ClassVar[int]
    DETAILS_JSON_FIELD_NUMBER: _ClassVar[int]
    entity: str
    count: int
    strategy: str
    reason: str
    seed: int
    coherence: float
    coherence_scores: _containers.RepeatedScalarFieldContainer[float]
    violations: _containers.RepeatedCompositeFieldContainer[Violation]
    cache_hit: bool
    cassette: str
    provider: str
    model: str
    timings: _containers.ScalarMap[str, float]
    details_json: str
    def __init__(self, entity: _Optional[str] = ..., count: _Optional[int] = ..., strategy: _Optional[str] = ..., reason: _Optional[str] = ..., seed: _Optional[int] = ..., coherence: _Optional[float] = ..., coherence_scores: _Optional[_Iterable[float]] = ..., violations: _Optional[_Iterable[_Union[Violation, _Mapping]]] = ..., cache_hit: _Optional[bool] = ..., cassette: _Optional[str] = ..., provider: _Optional[str] = ..., model: _Optional[str] = ..., timings: _Optional[_Mapping[str, float]] = ..., details_json: _Optional[str] = ...) -> None: ...

class GenerateDataResponse(_message.Message):
    __slots__ = ("records_json", "metadata", "request_id", "cassette")
    RECORDS_JSON_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CASSETTE_FIELD_NUMBER: _ClassVar[int]
    records_json: str
    metadata: ResultMetadata
    request_id: str
    cassette: Cassette
    def __init__(self, records_json: _Optional[str] = ..., metadata: _Optional[_Union[ResultMetadata, _Mapping]] = ..., request_id: _Optional[str] = ..., cassette: _Optional[_Union[Cassette, _Mapping]] = ...) -> None: ...

class GenerateDataChunk(_message.Message):
    __slots__ = ("index", "offset", "records_json", "total", "last", "metadata", "request_id", "cassette")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    RECORDS_JSON_FIELD_NUMBER: _ClassVar[int]
    TOTAL_FIELD_NUMBER: _ClassVar[int]
    LAST_FIELD_NUMBER: _ClassVar[int]
    METADATA_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    CASSETTE_FIELD_NUMBER: _ClassVar[int]
    index: int
    offset: int
    records_json: str
    total: int
    last: bool
    metadata: ResultMetadata
    request_id: str
    cassette: Cassette
    def __init__(self, index: _Optional[int] = ..., offset: _Optional[int] = ..., records_json: _Optional[str] = ..., total: _Optional[int] = ..., last: _Optional[bool] = ..., metadata: _Optional[_Union[ResultMetadata, _Mapping]] = ..., request_id: _Optional[str] = ..., cassette: _Optional[_Union[Cassette, _Mapping]] = ...) -> None: ...

class GetSchemasRequest(_message.Message):
    __slots__ = ("domain",)
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    domain: str
    def __init__(self, domain: _Optional[str] = ...) -> None: ...

class SchemaInfo(_message.Message):
    __slots__ = ("name", "version", "domain", "description", "fields", "references", "coherence_rules", "json_schema")
    class ReferencesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    NAME_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    DOMAIN_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    FIELDS_FIELD_NUMBER: _ClassVar[int]
    REFERENCES_FIELD_NUMBER: _ClassVar[int]
    COHERENCE_RULES_FIELD_NUMBER: _ClassVar[int]
    JSON_SCHEMA_FIELD_NUMBER: _ClassVar[int]
    name: str
    version: int
    domain: str
    description: str
    fields: _containers.RepeatedScalarFieldContainer[str]
    references: _containers.ScalarMap[str, str]
    coherence_rules: _containers.RepeatedScalarFieldContainer[str]
    json_schema: str
    def __init__(self, name: _Optional[str] = ..., version: _Optional[int] = ..., domain: _Optional[str] = ..., description: _Optional[str] = ..., fields: _Optional[_Iterable[str]] = ..., references: _Optional[_Mapping[str, str]] = ..., coherence_rules: _Optional[_Iterable[str]] = ..., json_schema: _Optional[str] = ...) -> None: ...

class GetSchemasResponse(_message.Message):
    __slots__ = ("schemas",)
    SCHEMAS_FIELD_NUMBER: _ClassVar[int]
    schemas: _containers.RepeatedCompositeFieldContainer[SchemaInfo]
    def __init__(self, schemas: _Optional[_Iterable[_Union[SchemaInfo, _Mapping]]] = ...) -> None: ...

class HealthCheckRequest(_message.Message):
    __slots__ = ()
    def __init__(self) -> None: ...

class ComponentHealth(_message.Message):
    __slots__ = ("name", "status", "detail", "required")
    NAME_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    REQUIRED_FIELD_NUMBER: _ClassVar[int]
    name: str
    status: str
    detail: str
    required: bool
    def __init__(self, name: _Optional[str] = ..., status: _Optional[str] = ..., detail: _Optional[str] = ..., required: _Optional[bool] = ...) -> None: ...

class HealthCheckResponse(_message.Message):
    __slots__ = ("status", "components", "version", "uptime_seconds", "service_name", "features")
    STATUS_FIELD_NUMBER: _ClassVar[int]
    COMPONENTS_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    UPTIME_SECONDS_FIELD_NUMBER: _ClassVar[int]
    SERVICE_NAME_FIELD_NUMBER: _ClassVar[int]
    FEATURES_FIELD_NUMBER: _ClassVar[int]
    status: str
    components: _containers.RepeatedCompositeFieldContainer[ComponentHealth]
    version: str
    uptime_seconds: float
    service_name: str
    features: _containers.RepeatedScalarFieldContainer[str]
    def __init__(self, status: _Optional[str] = ..., components: _Optional[_Iterable[_Union[ComponentHealth, _Mapping]]] = ..., version: _Optional[str] = ..., uptime_seconds: _Optional[float] = ..., service_name: _Optional[str] = ..., features: _Optional[_Iterable[str]] = ...) -> None: ...

class GenerateDatasetRequest(_message.Message):
    __slots__ = ("counts", "root", "count", "cardinality", "external", "seed", "strategy", "strategies", "context", "locale", "options", "variant", "break_rule", "batch_size", "schemas", "taken_json")
    class CountsEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: int
        def __init__(self, key: _Optional[str] = ..., value: _Optional[int] = ...) -> None: ...
    class StrategiesEntry(_message.Message):
        __slots__ = ("key", "value")
        KEY_FIELD_NUMBER: _ClassVar[int]
        VALUE_FIELD_NUMBER: _ClassVar[int]
        key: str
        value: str
        def __init__(self, key: _Optional[str] = ..., value: _Optional[str] = ...) -> None: ...
    COUNTS_FIELD_NUMBER: _ClassVar[int]
    ROOT_FIELD_NUMBER: _ClassVar[int]
    COUNT_FIELD_NUMBER: _ClassVar[int]
    CARDINALITY_FIELD_NUMBER: _ClassVar[int]
    EXTERNAL_FIELD_NUMBER: _ClassVar[int]
    SEED_FIELD_NUMBER: _ClassVar[int]
    STRATEGY_FIELD_NUMBER: _ClassVar[int]
    STRATEGIES_FIELD_NUMBER: _ClassVar[int]
    CONTEXT_FIELD_NUMBER: _ClassVar[int]
    LOCALE_FIELD_NUMBER: _ClassVar[int]
    OPTIONS_FIELD_NUMBER: _ClassVar[int]
    VARIANT_FIELD_NUMBER: _ClassVar[int]
    BREAK_RULE_FIELD_NUMBER: _ClassVar[int]
    BATCH_SIZE_FIELD_NUMBER: _ClassVar[int]
    SCHEMAS_FIELD_NUMBER: _ClassVar[int]
    TAKEN_JSON_FIELD_NUMBER: _ClassVar[int]
    counts: _containers.ScalarMap[str, int]
    root: str
    count: int
    cardinality: _struct_pb2.Struct
    external: _struct_pb2.Struct
    seed: int
    strategy: str
    strategies: _containers.ScalarMap[str, str]
    context: str
    locale: str
    options: _struct_pb2.Struct
    variant: str
    break_rule: str
    batch_size: int
    schemas: _containers.RepeatedCompositeFieldContainer[InlineSchema]
    taken_json: str
    def __init__(self, counts: _Optional[_Mapping[str, int]] = ..., root: _Optional[str] = ..., count: _Optional[int] = ..., cardinality: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., external: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., seed: _Optional[int] = ..., strategy: _Optional[str] = ..., strategies: _Optional[_Mapping[str, str]] = ..., context: _Optional[str] = ..., locale: _Optional[str] = ..., options: _Optional[_Union[_struct_pb2.Struct, _Mapping]] = ..., variant: _Optional[str] = ..., break_rule: _Optional[str] = ..., batch_size: _Optional[int] = ..., schemas: _Optional[_Iterable[_Union[InlineSchema, _Mapping]]] = ..., taken_json: _Optional[str] = ...) -> None: ...

class DatasetChunk(_message.Message):
    __slots__ = ("index", "entity", "offset", "records_json", "entity_total", "entity_last", "entity_metadata_json", "last", "dataset_json", "request_id")
    INDEX_FIELD_NUMBER: _ClassVar[int]
    ENTITY_FIELD_NUMBER: _ClassVar[int]
    OFFSET_FIELD_NUMBER: _ClassVar[int]
    RECORDS_JSON_FIELD_NUMBER: _ClassVar[int]
    ENTITY_TOTAL_FIELD_NUMBER: _ClassVar[int]
    ENTITY_LAST_FIELD_NUMBER: _ClassVar[int]
    ENTITY_METADATA_JSON_FIELD_NUMBER: _ClassVar[int]
    LAST_FIELD_NUMBER: _ClassVar[int]
    DATASET_JSON_FIELD_NUMBER: _ClassVar[int]
    REQUEST_ID_FIELD_NUMBER: _ClassVar[int]
    index: int
    entity: str
    offset: int
    records_json: str
    entity_total: int
    entity_last: bool
    entity_metadata_json: str
    last: bool
    dataset_json: str
    request_id: str
    def __init__(self, index: _Optional[int] = ..., entity: _Optional[str] = ..., offset: _Optional[int] = ..., records_json: _Optional[str] = ..., entity_total: _Optional[int] = ..., entity_last: _Optional[bool] = ..., entity_metadata_json: _Optional[str] = ..., last: _Optional[bool] = ..., dataset_json: _Optional[str] = ..., request_id: _Optional[str] = ...) -> None: ...
