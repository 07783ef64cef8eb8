"""Operations commands: `flask worker`, `flask files migrate`, `flask backup`, `flask restore`."""
from __future__ import annotations

import logging
import sys

import click
from flask import Flask

from danvan.core import files, jobs


def register(app: Flask) -> None:
    @app.cli.command("worker")
    @click.option("--workers", default=2, show_default=True, help="Số luồng xử lý song song.")
    def worker(workers: int) -> None:
        """Chạy một tiến trình xử lý công việc nền (Huey consumer) và các việc định kỳ."""
        logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                            format="%(asctime)s %(process)d %(name)s %(levelname)s %(message)s")
        consumer = jobs.huey.create_consumer(workers=workers, worker_type="thread", periodic=True,
                                             check_worker_health=True)
        consumer.run()

    @app.cli.group("files")
    def files_group() -> None:
        """Kho tệp đính kèm và kết quả."""

    @files_group.command("migrate")
    @click.option("--to", "to", type=click.Choice(["database", "folder"]), required=True)
    def migrate(to: str) -> None:
        """Chuyển mọi tệp sang kho `--to`, kiểm tra sha256 từng tệp; chạy lại được khi bị ngắt."""
        copied, present, failed = files.migrate_storage(to, echo=click.echo)
        click.echo(f"Đã chuyển {copied} tệp, {present} tệp đã có sẵn, {failed} tệp lỗi.")
        if failed:
            raise SystemExit(1)
        click.echo(f"Đặt FILE_STORAGE={to} rồi khởi động lại máy chủ ứng dụng và tiến trình nền.")

    from danvan import backup

    backup.register(app)
