/** The report's stylesheet, inlined: system fonts only, nothing fetched. */
export const STYLE = `
:root{--fg:#111827;--muted:#4b5563;--faint:#6b7280;--line:#e5e7eb;--bg:#ffffff;--panel:#f9fafb;
--pass:#15803d;--fail:#b91c1c;--invalid:#b45309;--aborted:#475569;}
*{box-sizing:border-box}
html{background:var(--bg);color:var(--fg)}
body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue","DejaVu Sans",Arial,sans-serif;font-variant-numeric:tabular-nums}
main{max-width:1200px;margin:0 auto;padding:24px 28px 64px}
h1{font-size:24px;margin:0 0 2px;letter-spacing:-.01em}
h2{font-size:17px;margin:34px 0 10px;padding-bottom:6px;border-bottom:1px solid var(--line)}
h3{font-size:14px;margin:0;font-weight:600}
.mono,code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono",monospace;font-size:12.5px}
.sub{color:var(--muted);margin:0 0 14px}
.sub .mono{color:var(--fg)}
.verdict{display:flex;align-items:center;gap:26px;border-radius:10px;padding:18px 26px;color:#fff;margin:14px 0 8px}
.verdict .word{font-size:46px;font-weight:800;letter-spacing:.04em;line-height:1}
.verdict .detail{font-size:15px;line-height:1.5}
.verdict .detail strong{font-size:17px}
.v-pass{background:var(--pass)}.v-fail{background:var(--fail)}.v-invalid{background:var(--invalid)}.v-aborted{background:var(--aborted)}
.glance{margin:6px 2px 0;color:var(--muted)}
.glance span{margin-right:22px;white-space:nowrap}.glance b{color:var(--fg);font-size:15px}.glance .faint{color:var(--faint);font-size:12px}
.counts span{display:inline-block;margin-right:14px}
.warnings{border:1px solid #f59e0b;background:#fffbeb;border-radius:8px;padding:10px 16px;margin:14px 0}
.warnings h2{border:0;margin:0 0 4px;padding:0;font-size:15px;color:#92400e}
.warnings ul{margin:4px 0;padding-left:20px}
table{border-collapse:collapse}
table.data{width:100%;font-size:13px}
table.data th{text-align:left;font-weight:600;color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.03em;border-bottom:2px solid var(--line);padding:6px 10px}
table.data td{border-bottom:1px solid var(--line);padding:7px 10px;vertical-align:top}
table.compact td{padding:4px 10px}
.num{text-align:right!important;white-space:nowrap}
td.params{max-width:380px;word-break:break-word;color:var(--muted)}
td.observed{font-weight:600}
tr.row-fail td{background:#fef2f2}
tr.row-fail td:first-child{box-shadow:inset 4px 0 0 var(--fail)}
tr.row-fail td.observed{color:var(--fail)}
tr.row-not_measured td{background:#fffbeb}
tr.row-not_measured td:first-child{box-shadow:inset 4px 0 0 var(--invalid)}
.badge{display:inline-block;border-radius:999px;padding:1px 10px;font-size:12px;font-weight:700;text-transform:uppercase;letter-spacing:.03em;white-space:nowrap}
.b-pass{background:#dcfce7;color:#166534}.b-fail{background:var(--fail);color:#fff}.b-not_measured{background:#fde68a;color:#78350f}
.bad-text{color:var(--fail);font-weight:700}.warn-text{color:var(--invalid);font-weight:600}
table.kv th{text-align:left;font-weight:500;color:var(--muted);padding:3px 18px 3px 0;vertical-align:top;white-space:nowrap}
table.kv td{padding:3px 0}
.cols{display:grid;grid-template-columns:1fr 1fr;gap:28px}
@media (max-width:900px){.cols{grid-template-columns:1fr}}
.empty,.note{color:var(--faint);font-style:italic;margin:6px 0}
figure.chart{margin:0 0 14px;border:1px solid var(--line);border-radius:8px;padding:10px 12px 2px;background:#fff}
.chart-head{display:flex;justify-content:space-between;align-items:baseline;gap:12px;flex-wrap:wrap}
.chart-head .unit{font-weight:400;color:var(--faint);font-size:12px;margin-left:6px}
.legend{font-size:12px;color:var(--muted)}
.legend .key{margin-left:14px;white-space:nowrap}
.legend svg{vertical-align:middle;margin-right:5px}
figure.chart .empty{padding:24px 0}
svg.plot{display:block;width:100%;height:auto;overflow:visible}
svg text{font-family:system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",Arial,sans-serif}
.grid{stroke:#eef0f3;stroke-width:1}
.axis,.tick{stroke:#9ca3af;stroke-width:1}
.tick-label{font-size:11px;fill:var(--muted)}
.axis-label{font-size:11px;fill:var(--faint)}
.s-rps{stroke:#0f766e;fill:#0f766e}.s-fail{stroke:#dc2626;fill:#dc2626}
.s-p50{stroke:#2563eb;fill:#2563eb}.s-p90{stroke:#7c3aed;fill:#7c3aed}.s-p99{stroke:#db2777;fill:#db2777}.s-max{stroke:#6b7280;fill:#6b7280}
.s-c0{stroke:#2563eb;fill:#2563eb}.s-c1{stroke:#059669;fill:#059669}.s-c2{stroke:#d97706;fill:#d97706}
.s-c3{stroke:#7c3aed;fill:#7c3aed}.s-c4{stroke:#db2777;fill:#db2777}.s-c5{stroke:#0891b2;fill:#0891b2}
path.line{fill:none;stroke-width:1.8;stroke-linejoin:round;stroke-linecap:round}
.legend line{stroke-width:2.2}
.dashed{stroke-dasharray:4 3}
path.line.s-max{stroke-width:1.2}
.fault-window{fill:rgba(220,38,38,.09)}
.fault-label{font-size:11px;font-weight:600;fill:#b91c1c;paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round;pointer-events:none}
.fault-edge{stroke:#dc2626;stroke-width:1;stroke-dasharray:3 2;opacity:.8}
.phase-mark{stroke:#6b7280;stroke-width:1;stroke-dasharray:2 3}
.hover{fill:transparent}
.cursor{stroke:#111827;stroke-width:1;opacity:.35;pointer-events:none}
.lane-group{font-size:11px;font-weight:700;fill:var(--faint);text-transform:uppercase;letter-spacing:.05em}
.lane-label{font-size:12px;fill:var(--fg)}
.lane-base{stroke:#d1d5db;stroke-width:2}
.seg{stroke-width:1}
.seg-label{font-size:11px;fill:#111827;pointer-events:none}
.ok{fill:#bbf7d0;stroke:#16a34a}.warn{fill:#fde68a;stroke:#d97706}.bad{fill:#fecaca;stroke:#dc2626}
.m0{fill:#bfdbfe;stroke:#2563eb}.m1{fill:#a7f3d0;stroke:#059669}.m2{fill:#fed7aa;stroke:#ea580c}
.m3{fill:#ddd6fe;stroke:#7c3aed}.m4{fill:#fbcfe8;stroke:#db2777}.m5{fill:#a5f3fc;stroke:#0891b2}
.none{fill:#f3f4f6;stroke:#dc2626;stroke-dasharray:3 2}
.fault{fill:#fca5a5;stroke:#b91c1c}
.ph-warmup{fill:#e2e8f0;stroke:#94a3b8;background:#e2e8f0}.ph-steady{fill:#dbeafe;stroke:#60a5fa;background:#dbeafe}
.ph-fault{fill:#fee2e2;stroke:#f87171;background:#fee2e2}.ph-recovery{fill:#fef3c7;stroke:#f59e0b;background:#fef3c7}
.ph-post{fill:#f3f4f6;stroke:#9ca3af;background:#f3f4f6}.ph-other{fill:#f5f5f4;stroke:#a8a29e;background:#f5f5f4}
.phase-chip{display:inline-block;width:10px;height:10px;border-radius:2px;border:1px solid #9ca3af;margin-right:7px;vertical-align:baseline}
.marker{stroke:#111827;stroke-width:.8}
.marker.bad{fill:#dc2626}.marker.ok{fill:#16a34a}.marker.warn{fill:#f59e0b}.marker.info{fill:#6b7280}
#tip{position:fixed;display:none;pointer-events:none;z-index:10;background:#111827;color:#f9fafb;font-size:12px;line-height:1.5;padding:7px 10px;border-radius:6px;white-space:pre-line;max-width:420px;box-shadow:0 4px 14px rgba(0,0,0,.2)}
details summary{cursor:pointer;color:var(--muted);margin:6px 0}
footer{margin-top:40px;color:var(--faint);font-size:12px}
@media print{#tip,.cursor{display:none}main{padding:0}}
`;
