/**
 * SVG to PNG through sharp (librsvg). The only file that imports sharp. The SVG's own width and height give the
 * PNG's size (at 72 dpi one SVG unit is one pixel).
 */
import sharp from 'sharp';
import { AppError } from '../core/app-error.js';

/** Renders an SVG document to PNG bytes. Throws INTERNAL when the renderer refuses the document. */
export async function renderChartPng(svg: string): Promise<Buffer> {
  try {
    return await sharp(Buffer.from(svg, 'utf8'), { density: 72 }).png({ compressionLevel: 9 }).toBuffer();
  } catch (cause) {
    throw new AppError('INTERNAL', 'Could not render the briefing chart to PNG; the SVG was refused by the renderer (a bug in the chart builder).', { cause });
  }
}
