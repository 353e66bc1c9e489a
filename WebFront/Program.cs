using OrleansChat.WebFront.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddChatWebFront();

var app = builder.Build();
app.MapChatWebFront();

await app.RunAsync();
