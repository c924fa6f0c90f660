import QRCode from 'qrcode'

/** `text` as a QR code in an SVG document (error correction M, as authenticator apps scan well). */
export function qrCodeSvg(text: string): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 })
}
