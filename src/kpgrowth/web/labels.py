"""The dashboard's own labels (中文, English), added to :data:`kpgrowth.report.i18n.LABELS`.

Examples
--------
>>> from kpgrowth.report.i18n import t
>>> t("nav.data", "zh"), t("nav.data", "en")
('数据', 'Data')
"""

from __future__ import annotations

from kpgrowth.report.i18n import add_labels

WEB_LABELS: dict[str, tuple[str, str]] = {
    "app": ("kpgrowth 增长引擎", "kpgrowth growth engine"),
    "nav.overview": ("经营概览", "Overview"),
    "nav.data": ("数据", "Data"),
    "nav.forecast": ("预测", "Forecasts"),
    "nav.funnel": ("转化漏斗", "Funnel"),
    "nav.retention": ("留存", "Retention"),
    "nav.channels": ("渠道与归因", "Channels & attribution"),
    "nav.content": ("内容表现", "Content"),
    "nav.community": ("社群健康", "Community"),
    "lang.zh": ("中文", "中文"),
    "lang.en": ("English", "English"),
    # login
    "login": ("登录", "Log in"),
    "logout": ("退出登录", "Log out"),
    "api_key": ("API 密钥", "API key"),
    "login_hint": (("粘贴 API 密钥登录。没有密钥？在服务器上运行 "
                   "kpgrowth keys create 工作区目录 --role analyst 生成一个。"),
                   ("Paste an API key to log in. No key? On the server run "
                   "kpgrowth keys create DIR --role analyst to create one.")),
    "login_failed": ("密钥无效或已被吊销。", "Unknown or revoked key."),
    "signed_in_as": ("当前角色", "Role"),
    "role.viewer": ("只读", "viewer"),
    "role.analyst": ("分析师", "analyst"),
    "role.admin": ("管理员", "admin"),
    # overview filters
    "filters": ("筛选", "Filters"),
    "start_date": ("开始日期", "From"),
    "end_date": ("结束日期", "To"),
    "all_platforms": ("全部平台", "All platforms"),
    "apply": ("应用筛选", "Apply"),
    "reset": ("重置", "Reset"),
    "bad_date": ("日期格式应为 YYYY-MM-DD，已忽略", "dates look like YYYY-MM-DD; ignored"),
    "products_chart": ("热销商品营收", "Revenue of top products"),
    "no_orders": ("这段时间没有订单。", "No orders in this period."),
    # data page
    "tables": ("数据表", "Tables"),
    "freshness": ("最新数据 (UTC)", "Latest record (UTC)"),
    "batches": ("已导入批次", "Ingested batches"),
    "quarantine_browser": ("被拒绝的行", "Rejected rows"),
    "quarantine_summary": ("按原因统计", "By reason"),
    "file": ("文件", "File"),
    "line": ("行号", "Line"),
    "column": ("列", "Column"),
    "value": ("值", "Value"),
    "all_tables": ("全部数据表", "All tables"),
    "show": ("查看", "Show"),
    "prev": ("上一页", "Previous"),
    "next": ("下一页", "Next"),
    "page_n": ("第 {page} / {pages} 页，共 {total} 行", "Page {page} of {pages}, {total} rows"),
    # upload
    "upload": ("上传文件导入", "Upload a file to ingest"),
    "upload_hint": (("支持 CSV/TSV（UTF-8 或 GB18030）、Excel .xlsx、Parquet、JSON Lines。"
                    "不合格的行进入隔离区，不会丢失。"),
                    ("CSV/TSV (UTF-8 or GB18030), Excel .xlsx, Parquet or JSON Lines. "
                    "Bad rows go to quarantine, never lost.")),
    "choose_file": ("选择文件", "File"),
    "target_table": ("导入到数据表", "Into table"),
    "mapping": ("字段映射", "Mapping"),
    "no_mapping": ("不使用（列名已与数据表一致）", "none (columns already use table names)"),
    "upload_button": ("上传并导入", "Upload and ingest"),
    "uploading": ("上传中…", "Uploading…"),
    "ingesting": ("正在校验并导入…", "Validating and ingesting…"),
    "ingest_done": ("导入完成", "Ingest finished"),
    "ingest_failed": ("导入失败", "Ingest failed"),
    "needs_analyst": ("上传需要分析师或管理员角色的密钥。",
                      "Uploading needs an analyst or admin key."),
    "rows_read": ("读取行数", "Rows read"),
    "landed": ("已入库", "Landed"),
    "duplicates": ("重复", "Duplicates"),
    "quarantined": ("已隔离", "Quarantined"),
    "already_ingested": ("这个文件之前已导入过，本次跳过。",
                         "This file was ingested before; skipped."),
    "ignored_columns": ("未使用的列", "Ignored columns"),
    "top_reasons": ("隔离原因", "Quarantine reasons"),
    "count": ("次数", "Count"),
    "example": ("示例位置", "Example"),
    # first run
    "first_run": ("欢迎使用 kpgrowth！工作区还没有数据", "Welcome to kpgrowth! This workspace has no data yet"),
    "first_run_intro": (("导入你的导出文件（订单、作品数据、用户行为…）后，这里会显示营收、"
                        "付费用户、转化率和各平台趋势。三种开始方式："),
                        ("Once you import your exports (orders, post metrics, events…) this page "
                        "shows revenue, buyers, conversion and trends per platform. Three ways "
                        "to start:")),
    "first_run_upload": ("在「数据」页上传导出文件（例如小鹅通订单，选择映射 xiaoe_orders）。",
                         ("Upload an export on the Data page (e.g. Xiaoe-tech orders with the "
                         "xiaoe_orders mapping).")),
    "first_run_cli": ("或者在命令行导入：", "Or import from the command line:"),
    "first_run_demo": ("想先看看效果？用模拟的知识付费店铺生成演示工作区：",
                       ("Want to look around first? Build a demo workspace from a simulated "
                       "knowledge business:")),
    "example_file": ("订单导出.csv", "orders_export.csv"),
    "extra_tables": ("其他数据表（{n} 个，如模拟器的真实值 truth_*）",
                     "Other tables ({n}, e.g. the simulator's ground truth truth_*)"),
    "go_data": ("去上传数据", "Go to upload"),
}

add_labels(WEB_LABELS)
