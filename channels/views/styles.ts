// The whole stylesheet, inlined in every page: small enough that a second request would cost more
// than it saves, and the machine this runs on may have no CDN to fetch a framework from.
export const STYLES = `
:root {
  color-scheme: light;
  --bg: #f6f7f9; --panel: #fff; --ink: #1d2330; --muted: #667085; --line: #e3e6eb;
  --accent: #d92d20; --accent-ink: #fff; --live: #12b76a; --warn-bg: #fffaeb; --warn-ink: #93370d; --warn-line: #fedf89;
  --partial: #f2f4f7; --final: #fff; --start: #ecfdf3; --end: #fef3f2; --status: #f0f9ff;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
a { color: inherit; }
code, .call-sid { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .86em; }
.topbar { display: flex; align-items: center; justify-content: space-between; padding: .75rem 1.5rem;
  background: var(--panel); border-bottom: 1px solid var(--line); }
.brand { font-weight: 650; text-decoration: none; letter-spacing: .01em; }
.brand span { color: var(--accent); }
.live-status { font-size: .8rem; color: var(--muted); display: inline-flex; align-items: center; gap: .4rem; }
.live-status::before { content: ""; width: .55rem; height: .55rem; border-radius: 50%; background: #98a2b3; }
.live-status[data-state="connected"]::before { background: var(--live); box-shadow: 0 0 0 3px #d1fadf; }
.live-status[data-state="disconnected"]::before, .live-status[data-state="closed"]::before { background: var(--accent); }
.banner { margin: 0; padding: .6rem 1.5rem; background: var(--warn-bg); color: var(--warn-ink);
  border-bottom: 1px solid var(--warn-line); font-size: .9rem; }
.banner[hidden] { display: none; }
.layout { display: grid; grid-template-columns: minmax(16rem, 22rem) 1fr; gap: 1.5rem; padding: 1.5rem;
  max-width: 78rem; margin: 0 auto; }
@media (max-width: 52rem) { .layout { grid-template-columns: 1fr; } }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: .75rem; padding: 1rem 1.1rem; margin-bottom: 1.25rem; }
.panel h2 { font-size: .8rem; text-transform: uppercase; letter-spacing: .06em; color: var(--muted); margin: 0 0 .75rem; }
#calls { list-style: none; margin: 0; padding: 0; }
#calls:empty::before { content: "No live calls right now."; color: var(--muted); font-size: .9rem; }
.call a { display: flex; flex-direction: column; padding: .5rem .6rem; margin: 0 -.6rem; border-radius: .5rem; text-decoration: none; }
.call a:hover { background: var(--bg); }
.call .call-sid { overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.call .call-sid::before { content: "● "; color: var(--live); }
.call-since { font-size: .78rem; color: var(--muted); }
.call-form label { display: block; font-weight: 600; margin-bottom: .35rem; }
.call-form .row { display: flex; gap: .5rem; }
.call-form input { flex: 1; min-width: 0; padding: .5rem .6rem; border: 1px solid #d0d5dd; border-radius: .5rem; font: inherit; }
.call-form button { padding: .5rem 1rem; border: 0; border-radius: .5rem; background: var(--accent); color: var(--accent-ink); font: inherit; font-weight: 600; cursor: pointer; }
.call-form fieldset { border: 0; margin: 0; padding: 0; }
.call-form fieldset:disabled input, .call-form fieldset:disabled button { opacity: .5; cursor: not-allowed; }
.hint { font-size: .8rem; color: var(--muted); margin: .4rem 0 0; }
.form-error { margin: .6rem 0 0; padding: .5rem .65rem; border-radius: .5rem; background: var(--end); color: #912018; font-size: .88rem; }
.form-note { margin: .6rem 0 0; font-size: .85rem; color: var(--muted); }
.form-note ul { margin: .3rem 0 0; padding-left: 1.1rem; }
.timeline-head { display: flex; align-items: baseline; justify-content: space-between; gap: 1rem; flex-wrap: wrap; margin-bottom: .75rem; }
.timeline-head h1 { font-size: 1.25rem; margin: 0; }
.muted { color: var(--muted); }
.intro { color: var(--muted); max-width: 36rem; }
#events { display: flex; flex-direction: column; gap: .6rem; }
#events:empty::before { content: "Waiting for this call's media stream…"; color: var(--muted); }
.event { border: 1px solid var(--line); border-radius: .65rem; padding: .6rem .8rem; background: var(--final); }
.event-text { margin: 0; white-space: pre-wrap; overflow-wrap: anywhere; }
.event-meta { display: flex; justify-content: space-between; gap: 1rem; margin-top: .3rem; font-size: .74rem; color: var(--muted); }
.event-label { text-transform: uppercase; letter-spacing: .05em; }
.event-transcript.is-partial { background: var(--partial); border-style: dashed; }
.event-transcript.is-partial .event-text { color: #475467; font-style: italic; }
.event-transcript.is-partial .event-text::after { content: " …"; }
.event-transcript { border-left: 3px solid #98a2b3; }
.event-transcript.is-final { border-left-color: var(--ink); }
/* Call milestones are one compact line each, so the conversation stays the main thing. */
.event-start, .event-end, .event-status { display: flex; align-items: baseline; gap: 1rem; padding: .35rem .8rem; font-size: .86rem; }
.event-start .event-text, .event-end .event-text, .event-status .event-text { flex: 1; font-weight: 600; }
.event-start .event-meta, .event-end .event-meta, .event-status .event-meta { margin-top: 0; gap: .75rem; }
.event-start { background: var(--start); border-color: #abefc6; }
.event-end { background: var(--end); border-color: #fecdca; }
.event-status { background: var(--status); border-color: #b9e6fe; }
.not-found { text-align: center; padding: 4rem 1rem; }
`;
