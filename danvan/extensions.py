"""Extensions created once and bound in create_app()."""
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Named constraints: SQLite batch migrations drop unnamed ones, and PostgreSQL names differ.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Every model has a surrogate integer key `id`, unless it keys its rows otherwise: it then sets
    `id = None` and declares its own primary key. Its repr names the attributes in `__repr_attrs__`:
    `<Unit id=3 name='Xã An Bình'>`."""

    metadata = MetaData(naming_convention=NAMING)

    # sort_order: the first column of every table, before the mixins' own key columns (-1),
    # as the migrations created the tables
    id: Mapped[int] = mapped_column(primary_key=True, sort_order=-2)

    __repr_attrs__: tuple[str, ...] = ("id",)

    def __repr__(self) -> str:
        shown = " ".join(f"{name}={_shown(getattr(self, name))}" for name in self.__repr_attrs__)
        return f"<{type(self).__name__} {shown}>"


def _shown(value) -> str:
    """A value in a model's repr: text quoted and cut to 40 characters, anything else as printed."""
    if isinstance(value, str):
        return repr(value if len(value) <= 40 else value[:40] + "…")
    return str(value)


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True, compare_type=True)
login_manager = LoginManager()
csrf = CSRFProtect()


@event.listens_for(Engine, "connect")
def _sqlite_connect(dbapi_connection, connection_record) -> None:
    """SQLite: enforce foreign keys like PostgreSQL, and let SQLAlchemy own transactions
    (pysqlite's implicit BEGIN breaks SAVEPOINT, which tests and nested writes rely on)."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # Busy timeout (a second writer waits, not fails): pysqlite's connect "timeout", from
        # SQLITE_BUSY_SECONDS (10 s) in create_app; past it the user gets 503 "Hệ thống đang bận".
        cursor.execute("PRAGMA journal_mode=WAL")  # readers do not wait for the writer
        cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn) -> None:
    # IMMEDIATE: take the write lock up front. A deferred transaction that reads, then writes,
    # fails at once with "database is locked" when another writer got there first (two leaders
    # approving at the same moment); an immediate one waits its turn (busy_timeout).
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
