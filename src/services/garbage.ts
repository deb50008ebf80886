// Bulk work (a send to thousands, delivering it) renders and writes a few kilobytes per recipient,
// several times over (the copy, its JSON, the bytes sent), and V8 lets that garbage pile up: a
// 10,000-recipient message grew the process by hundreds of megabytes before it was collected. Where
// the process allows it (--expose-gc, as npm start runs Herald), such work collects it every thousand
// items or so, a few tens of milliseconds each time; elsewhere this does nothing.
const gc = (globalThis as { gc?: () => void }).gc;

/** Counts items of bulk work and collects the garbage each time `every` more have been done. */
export function garbageCollector(every: number): (items: number) => void {
  let done = 0;
  return (items) => {
    done += items;
    if (!gc || done < every) return;
    done = 0;
    gc();
  };
}
